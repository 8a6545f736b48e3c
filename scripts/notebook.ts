/**
 * npm run notebook [-- jupyter options…]
 *
 * Starts classic Jupyter (`jupyter notebook`, else `jupyter lab`) on notebooks/, with the project-local kernelspec
 * written first and its data dir on JUPYTER_PATH. Jupyter is the only Python this course uses, and only here: when it
 * is missing, this prints how to install it and exits non-zero.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { findProjectRoot, localJupyterDataDir, writeKernelSpec } from "./jupyter/tslab";

const TRUST_SCRIPT = `
import sys, nbformat
from nbformat.sign import NotebookNotary
notary = NotebookNotary()
for name in sys.argv[1:]:
    notary.sign(nbformat.read(name, as_version=4))
`;
/** Jupyter front ends in order of preference; each is an executable `jupyter-<name>` on PATH. */
const FRONT_ENDS = ["notebook", "lab"] as const;
const INSTALL_HELP = `Jupyter is not installed (no jupyter-notebook or jupyter-lab on PATH). Install it with one of:
  Debian/Ubuntu:  sudo apt-get install jupyter-notebook jupyter-client
  pip users:      pip install jupyterlab
Then run npm run notebook again. (Executing notebooks needs no Python: npm run execute.)`;

function findOnPath(executable: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    const candidate = path.join(dir, executable);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Figures draw with a script in their HTML output, and Jupyter runs output scripts only in notebooks the user trusts.
 * The stored notebooks come from this project's own runner, so opening the course means trusting them.
 */
function trustCourseNotebooks(notebooksDir: string, frontEndPath: string): void {
  const notebooks = fs.readdirSync(notebooksDir).filter((name) => name.endsWith(".ipynb"));
  // Jupyter's own notary (what `jupyter trust` runs), in the Python that runs Jupyter: the front end's shebang.
  const shebang = fs.readFileSync(frontEndPath, "utf8").split("\n")[0];
  const python = shebang.startsWith("#!") ? shebang.slice(2).trim().split(/\s+/)[0] : "python3";
  const result = spawnSync(python, ["-c", TRUST_SCRIPT, ...notebooks], { cwd: notebooksDir, stdio: ["ignore", "ignore", "pipe"] });
  if (result.status !== 0) {
    const reason = String(result.stderr ?? result.error ?? "").trim().split("\n").pop();
    console.log(`(could not mark the notebooks trusted: ${reason}; figures then show as their PNG copies)`);
  }
}

function main(): void {
  const projectRoot = findProjectRoot();
  const dataDir = localJupyterDataDir(projectRoot);
  const frontEnd = FRONT_ENDS.find((name) => findOnPath(`jupyter-${name}`) !== null);
  if (frontEnd === undefined) {
    console.error(INSTALL_HELP);
    process.exit(1);
  }
  const spec = writeKernelSpec(dataDir, projectRoot);
  const jupyterPath = [dataDir, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);
  const notebooksDir = path.join(projectRoot, "notebooks");
  console.log(`Kernelspec: ${spec}\nStarting jupyter ${frontEnd} in ${notebooksDir} (JUPYTER_PATH=${jupyterPath})`);
  trustCourseNotebooks(notebooksDir, findOnPath(`jupyter-${frontEnd}`) as string);
  const args = process.argv.slice(2);
  // Jupyter refuses to start as root (containers, CI) unless told; say so rather than fail.
  if (process.getuid?.() === 0 && !args.includes("--allow-root")) {
    console.log("Running as root: adding --allow-root");
    args.push("--allow-root");
  }
  const jupyter = spawn(`jupyter-${frontEnd}`, args, {
    cwd: notebooksDir,
    env: { ...process.env, JUPYTER_PATH: jupyterPath },
    stdio: "inherit",
  });
  // Ctrl-C reaches Jupyter directly (same terminal process group); Jupyter asks before it stops, so wait for it.
  process.on("SIGINT", () => undefined);
  process.on("SIGTERM", () => jupyter.kill("SIGTERM"));
  jupyter.on("error", (error) => {
    console.error(`could not start jupyter-${frontEnd}: ${error.message}\n${INSTALL_HELP}`);
    process.exit(1);
  });
  jupyter.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main();
