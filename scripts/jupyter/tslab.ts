/**
 * Where the project's own tslab is, the command that starts its kernel, and the kernelspec that tells Jupyter so.
 * The kernel is always the project's tslab (node_modules/.bin/tslab), never a global one, so notebooks see the
 * project's node_modules (and "cnn-notebooks").
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const KERNEL_NAME = "tslab";
export const KERNEL_DISPLAY_NAME = "TypeScript (cnn-notebooks)";
/** tslab's JavaScript kernel (`tslab kernel --js`), as tslab's own installer names it. */
export const JS_KERNEL_NAME = "jslab";
export const JS_KERNEL_DISPLAY_NAME = "JavaScript (cnn-notebooks)";
export type TslabKernelName = typeof KERNEL_NAME | typeof JS_KERNEL_NAME;
const TSLAB_BIN = path.join("node_modules", ".bin", "tslab");
/** Written into every kernelspec of ours, so `npm run kernel` can tell its own from someone else's. */
const OWNER_KEY = "cnn_notebooks";

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: "signal";
  env: Record<string, string>;
  metadata: Record<string, unknown>;
}

/** Loaded into every kernel of ours so cells that print a lot lose nothing on iopub (see the file). */
export const IOPUB_LOSSLESS_PRELOAD = path.join(__dirname, "iopub-lossless.cjs");

/** NODE_OPTIONS for a kernel: `base` plus the preload (quoted: the path may hold spaces). */
export function kernelNodeOptions(base: string | undefined): string {
  return [base, `--require ${JSON.stringify(IOPUB_LOSSLESS_PRELOAD)}`].filter(Boolean).join(" ");
}

/** The folder holding node_modules/.bin/tslab, found by walking up from `start` (this file's folder by default). */
export function findProjectRoot(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, TSLAB_BIN))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no ${TSLAB_BIN} above ${start}: run npm install in the project first`);
    dir = parent;
  }
}

export function tslabBinary(projectRoot: string = findProjectRoot()): string {
  return path.join(projectRoot, TSLAB_BIN);
}

/** `tslab kernel --config-path <file> [--js]`: argv with "{connection_file}" (Jupyter's placeholder) or a real path. */
export function tslabKernelArgv(connectionFile: string, projectRoot: string = findProjectRoot(), kernel: TslabKernelName = KERNEL_NAME): string[] {
  return [tslabBinary(projectRoot), "kernel", "--config-path", connectionFile, ...(kernel === JS_KERNEL_NAME ? ["--js"] : [])];
}

export function kernelSpec(projectRoot: string = findProjectRoot(), kernel: TslabKernelName = KERNEL_NAME): KernelSpec {
  return {
    argv: tslabKernelArgv("{connection_file}", projectRoot, kernel),
    display_name: kernel === JS_KERNEL_NAME ? JS_KERNEL_DISPLAY_NAME : KERNEL_DISPLAY_NAME,
    language: kernel === JS_KERNEL_NAME ? "javascript" : "typescript",
    // tslab interrupts the running cell on SIGINT; it does not handle interrupt_request messages.
    interrupt_mode: "signal",
    env: { NODE_OPTIONS: kernelNodeOptions(undefined) },
    metadata: { [OWNER_KEY]: { project: projectRoot } },
  };
}

/**
 * The notebook's `metadata.kernelspec` as Jupyter writes it when the notebook is opened with this kernel
 * (classic Notebook: name, display_name, language): the runner stores exactly this, so opening changes nothing.
 */
export function notebookKernelspec(kernel: TslabKernelName = KERNEL_NAME): { name: string; display_name: string; language: string } {
  const spec = kernelSpec("", kernel);
  return { display_name: spec.display_name, language: spec.language, name: kernel };
}

/** Which of tslab's kernels a notebook asks for, or why the runner cannot run it. */
export function tslabKernelFor(metadata: Record<string, unknown>): { kernel: TslabKernelName } | { refused: string } {
  const spec = metadata.kernelspec as { name?: unknown; display_name?: unknown; language?: unknown } | undefined;
  const name = typeof spec?.name === "string" ? spec.name : undefined;
  if (name === undefined) {
    const language = (metadata.language_info as { name?: unknown } | undefined)?.name;
    if (language === "javascript") return { kernel: JS_KERNEL_NAME };
    if (language === undefined || language === "typescript") return { kernel: KERNEL_NAME };
    return { refused: `its language_info names "${String(language)}" and no kernelspec` };
  }
  if (name === KERNEL_NAME || name === JS_KERNEL_NAME) return { kernel: name };
  const shown = typeof spec?.display_name === "string" ? ` (${spec.display_name})` : "";
  return { refused: `it asks for the kernel "${name}"${shown}` };
}

/** The project-local Jupyter data dir (git-ignored); put it on JUPYTER_PATH for Jupyter to find the kernel. */
export function localJupyterDataDir(projectRoot: string = findProjectRoot()): string {
  return path.join(projectRoot, ".jupyter");
}

/** The user's Jupyter data dir (Linux/XDG layout; macOS uses ~/Library/Jupyter). */
export function userJupyterDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  if (process.platform === "darwin") return path.join(os.homedir(), "Library", "Jupyter");
  const xdg = process.env.XDG_DATA_HOME || path.join(os.homedir(), ".local", "share");
  return path.join(xdg, "jupyter");
}

export function kernelSpecFile(dataDir: string, kernel: TslabKernelName = KERNEL_NAME): string {
  return path.join(dataDir, "kernels", kernel, "kernel.json");
}

/**
 * Who wrote an existing kernelspec file: "none" (no file), "this" (this project), "other-project" (our runner, another
 * checkout) or "foreign" (e.g. tslab's own installer, or a hand-made spec).
 */
export function kernelSpecOwner(file: string, projectRoot: string = findProjectRoot()): "none" | "this" | "other-project" | "foreign" {
  if (!fs.existsSync(file)) return "none";
  try {
    const spec = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<KernelSpec>;
    const owner = (spec.metadata?.[OWNER_KEY] as { project?: unknown } | undefined)?.project;
    if (typeof owner === "string") return path.resolve(owner) === path.resolve(projectRoot) ? "this" : "other-project";
    // Before the owner mark: a spec whose argv starts this project's tslab is ours too.
    return Array.isArray(spec.argv) && spec.argv[0] === tslabBinary(projectRoot) ? "this" : "foreign";
  } catch {
    return "foreign";
  }
}

/** Write `<dataDir>/kernels/<tslab|jslab>/kernel.json`; returns the file written. */
export function writeKernelSpec(dataDir: string, projectRoot: string = findProjectRoot(), kernel: TslabKernelName = KERNEL_NAME): string {
  const file = kernelSpecFile(dataDir, kernel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(kernelSpec(projectRoot, kernel), null, 1) + "\n");
  return file;
}
