/**
 * npm run notebook [-- --profile smoke|lab|full] [-- jupyter options…]
 *
 * Starts classic Jupyter (`jupyter notebook`, else `jupyter lab`) with the project-local kernelspecs written first and
 * their data dir on JUPYTER_PATH. Jupyter is the only Python this course uses, and only here: when it is missing, this
 * prints how to install it and exits non-zero.
 *
 * The full profile (the default) opens notebooks/ itself: what you run and save there is what the book shows. The
 * smoke and lab profiles open a working copy of notebooks/ (git-ignored, see workingCopyDir), so exploring with small
 * runs never autosaves over the committed full-profile outputs. CNN_PROFILE reaches the kernels either way.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseRunProfile } from "./jupyter/execute-notebook";
import type { RunProfile } from "./jupyter/source-hash";
import { JS_KERNEL_NAME, KERNEL_NAME, findProjectRoot, localJupyterDataDir, writeKernelSpec } from "./jupyter/tslab";

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

/** The working copy a profile's Jupyter opens: inside .jupyter/ (git-ignored, the project-local Jupyter folder). */
export function workingCopyDir(projectRoot: string, profile: RunProfile): string {
  return path.join(localJupyterDataDir(projectRoot), "workspaces", profile);
}

/**
 * Bring the working copy up to date without touching the learner's work: notebooks it lacks are copied in, notebooks
 * it has are kept (their names are returned when the course's version is newer), assets are refreshed.
 */
export function syncWorkingCopy(notebooksDir: string, workDir: string): { copied: string[]; kept: string[]; newerInCourse: string[] } {
  fs.mkdirSync(workDir, { recursive: true });
  const copied: string[] = [];
  const kept: string[] = [];
  const newerInCourse: string[] = [];
  for (const name of fs.readdirSync(notebooksDir).filter((n) => n.endsWith(".ipynb")).sort()) {
    const from = path.join(notebooksDir, name);
    const to = path.join(workDir, name);
    if (!fs.existsSync(to)) {
      fs.copyFileSync(from, to);
      copied.push(name);
      continue;
    }
    kept.push(name);
    if (fs.statSync(from).mtimeMs > fs.statSync(to).mtimeMs && !fs.readFileSync(from).equals(fs.readFileSync(to))) newerInCourse.push(name);
  }
  // Figures load plotly.js from assets/ next to the notebooks (the /files/ URL of the folder Jupyter serves).
  const assets = path.join(notebooksDir, "assets");
  if (fs.existsSync(assets)) fs.cpSync(assets, path.join(workDir, "assets"), { recursive: true, dereference: true });
  return { copied, kept, newerInCourse };
}

/** `--profile P` (or `--profile=P`) taken out of the arguments; the rest go to Jupyter. */
function takeProfile(args: string[]): { profile: RunProfile | null; rest: string[] } {
  const rest: string[] = [];
  let profile: RunProfile | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--profile") profile = parseRunProfile(args[++i] ?? "");
    else if (arg.startsWith("--profile=")) profile = parseRunProfile(arg.slice("--profile=".length));
    else rest.push(arg);
  }
  return { profile, rest };
}

function main(): void {
  const projectRoot = findProjectRoot();
  const dataDir = localJupyterDataDir(projectRoot);
  const { profile: asked, rest: args } = takeProfile(process.argv.slice(2));
  const profile = asked ?? parseRunProfile(process.env.CNN_PROFILE);
  const frontEnd = FRONT_ENDS.find((name) => findOnPath(`jupyter-${name}`) !== null);
  if (frontEnd === undefined) {
    console.error(INSTALL_HELP);
    process.exit(1);
  }
  const specs = ([KERNEL_NAME, JS_KERNEL_NAME] as const).map((kernel) => writeKernelSpec(dataDir, projectRoot, kernel));
  const jupyterPath = [dataDir, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);
  const courseDir = path.join(projectRoot, "notebooks");
  let notebooksDir = courseDir;
  if (profile !== "full") {
    notebooksDir = workingCopyDir(projectRoot, profile);
    const sync = syncWorkingCopy(courseDir, notebooksDir);
    console.log(`Profile ${profile}: opening a working copy of notebooks/ in ${path.relative(projectRoot, notebooksDir)}/ ` +
      `(git-ignored; saving there never touches the stored full-profile outputs). ${sync.copied.length} notebook(s) copied, ` +
      `${sync.kept.length} kept as you left them.`);
    if (sync.newerInCourse.length > 0) {
      console.log(`Newer in notebooks/: ${sync.newerInCourse.join(", ")} — delete your copy in ${path.relative(projectRoot, notebooksDir)}/ to get the course's version.`);
    }
  }
  console.log(`Kernelspecs: ${specs.join(", ")}\nStarting jupyter ${frontEnd} in ${notebooksDir} (profile ${profile}, JUPYTER_PATH=${jupyterPath})`);
  trustCourseNotebooks(notebooksDir, findOnPath(`jupyter-${frontEnd}`) as string);
  // Jupyter refuses to start as root (containers, CI) unless told; say so rather than fail.
  if (process.getuid?.() === 0 && !args.includes("--allow-root")) {
    console.log("Running as root: adding --allow-root");
    args.push("--allow-root");
  }
  const jupyter = spawn(`jupyter-${frontEnd}`, args, {
    cwd: notebooksDir,
    env: { ...process.env, JUPYTER_PATH: jupyterPath, CNN_PROFILE: profile },
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

if (require.main === module) main();
