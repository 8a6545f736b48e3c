import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { KERNEL_DISPLAY_NAME, findProjectRoot, writeKernelSpec } from "../../scripts/jupyter/tslab";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

describe("runner: kernelspec and npm run notebook", () => {
  it("writes a kernelspec that starts the project's own tslab with the connection file", () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kernelspec-"));
    try {
      const file = writeKernelSpec(dataDir);
      expect(file).to.equal(path.join(dataDir, "kernels", "tslab", "kernel.json"));
      const spec = JSON.parse(fs.readFileSync(file, "utf8"));
      expect(spec.argv).to.deep.equal([path.join(PROJECT_ROOT, "node_modules", ".bin", "tslab"), "kernel", "--config-path", "{connection_file}"]);
      expect(path.isAbsolute(spec.argv[0])).to.equal(true);
      expect(fs.existsSync(spec.argv[0])).to.equal(true);
      expect(spec.display_name).to.equal(KERNEL_DISPLAY_NAME).and.equal("TypeScript (cnn-notebooks)");
      expect(spec.language).to.equal("typescript");
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("finds the project root from the runner's own folder", () => {
    expect(findProjectRoot()).to.equal(PROJECT_ROOT);
  });

  it("prints the install commands and exits non-zero when Jupyter is missing", function () {
    this.timeout(60_000); // starts tsx in a fresh node, slow on a loaded machine
    const run = spawnSync(process.execPath, ["--import", "tsx", path.join("scripts", "notebook.ts")], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, PATH: path.join(os.tmpdir(), "no-jupyter-here") },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.status).to.equal(1);
    expect(run.stderr).to.include("apt-get install jupyter-notebook jupyter-client").and.include("pip install jupyterlab");
  });
});
