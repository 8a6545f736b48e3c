// Runs on `npm install` (the root package's `prepare`): build lib/ so notebooks can import "cnn-notebooks", put
// plotly.js where Jupyter serves it, and build the optional native accelerator.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
await import("./build-wasm-kernels.mjs");
execFileSync(process.execPath, [new URL("../node_modules/typescript/bin/tsc", import.meta.url).pathname, "-p", "lib"], { stdio: "inherit" });

// Figures in Jupyter load plotly.js once per page from notebooks/assets/ (served by Jupyter, git-ignored).
createRequire(import.meta.url)("../lib/dist/viz/plotly-asset").installPlotlyAsset(new URL("..", import.meta.url).pathname);

// The optional oneDNN accelerator for wasm training (native/README.md): built with node-gyp when g++ and the oneDNN
// headers exist, otherwise one line says how to enable it. Never fails the install: the pure wasm kernels always work.
{
  const { existsSync, readFileSync } = await import("node:fs");
  const { dirname, join } = await import("node:path");
  const { fileURLToPath } = await import("node:url");
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const hint = "apt-get install g++ libdnnl-dev, then npm install";
  const onednnHeaders = ["/usr/include/oneapi/dnnl/dnnl.hpp", "/usr/include/dnnl.hpp", "/usr/local/include/oneapi/dnnl/dnnl.hpp"];
  const hasCompiler = (() => {
    try {
      execFileSync("g++", ["--version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();
  if (process.env.CNN_SKIP_NATIVE === "1") {
    console.log("Native oneDNN accelerator: skipped (CNN_SKIP_NATIVE=1); wasm training uses its pure kernels.");
  } else if (!hasCompiler || !onednnHeaders.some((file) => existsSync(file))) {
    console.log(`Native oneDNN accelerator not built (optional; wasm training works without it): to enable it, ${hint}.`);
  } else {
    // Node's own headers, when installed next to this node binary (e.g. Debian/NodeSource), spare node-gyp a download.
    const prefix = dirname(dirname(process.execPath));
    const versionHeader = join(prefix, "include", "node", "node_version.h");
    const [major, minor, patch] = process.versions.node.split(".");
    const headersMatch =
      existsSync(versionHeader) &&
      [["MAJOR", major], ["MINOR", minor], ["PATCH", patch]].every(([part, value]) =>
        new RegExp(`#define NODE_${part}_VERSION ${value}\\b`).test(readFileSync(versionHeader, "utf8")),
      );
    const nodeGyp = join(root, "node_modules", "node-gyp", "bin", "node-gyp.js");
    try {
      execFileSync(process.execPath, [nodeGyp, "rebuild", ...(headersMatch ? [`--nodedir=${prefix}`] : [])], {
        cwd: join(root, "native"),
        stdio: ["ignore", "ignore", "pipe"],
      });
      console.log("Native oneDNN accelerator built: wasm training runs its heavy kernels in oneDNN (path wasm+onednn).");
    } catch (error) {
      const stderr = String(error.stderr ?? error.message ?? error);
      const reason = stderr.split("\n").find((line) => /error/i.test(line))?.trim() ?? stderr.split("\n")[0];
      console.log(`Native oneDNN accelerator build failed (optional; wasm training uses its pure kernels): ${reason}`);
    }
  }
}
