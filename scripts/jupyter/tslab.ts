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
const TSLAB_BIN = path.join("node_modules", ".bin", "tslab");

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: "signal";
  metadata: Record<string, unknown>;
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

/** `tslab kernel --config-path <file>`: argv with "{connection_file}" (Jupyter's placeholder) or a real path. */
export function tslabKernelArgv(connectionFile: string, projectRoot: string = findProjectRoot()): string[] {
  return [tslabBinary(projectRoot), "kernel", "--config-path", connectionFile];
}

export function kernelSpec(projectRoot: string = findProjectRoot()): KernelSpec {
  return {
    argv: tslabKernelArgv("{connection_file}", projectRoot),
    display_name: KERNEL_DISPLAY_NAME,
    language: "typescript",
    // tslab interrupts the running cell on SIGINT; it does not handle interrupt_request messages.
    interrupt_mode: "signal",
    metadata: {},
  };
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

/** Write `<dataDir>/kernels/tslab/kernel.json`; returns the file written. */
export function writeKernelSpec(dataDir: string, projectRoot: string = findProjectRoot()): string {
  const dir = path.join(dataDir, "kernels", KERNEL_NAME);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "kernel.json");
  fs.writeFileSync(file, JSON.stringify(kernelSpec(projectRoot), null, 1) + "\n");
  return file;
}
