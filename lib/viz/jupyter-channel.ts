/**
 * The way out to the notebook: tslab's `display_data` writer. tslab's public `display.raw` sends one MIME type per
 * message, but a figure needs several (HTML for the notebook, PNG for the stored file and the book, plain text for
 * everything else), so we call the writer its `jupyter` module keeps for the running cell. It must be the kernel's
 * own module instance: a second copy of tslab (another node_modules) would hold `null`.
 */
import * as path from "node:path";

/**
 * A Jupyter MIME bundle: MIME type → string (binary data base64-encoded, as Jupyter expects), or a JSON value for
 * JSON MIME types (`application/*+json`, such as Plotly's `application/vnd.plotly.v1+json`).
 */
export type MimeBundle = Record<string, string | object>;

interface DisplayDataContent {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient: Record<string, unknown>;
}
type WriteDisplayData = (content: DisplayDataContent, update: boolean) => void;
interface TslabJupyterModule {
  lastWriteDisplayData: WriteDisplayData | null;
}

const TSLAB_JUPYTER_MODULE = /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/;

/** tslab's jupyter modules already loaded in this process (the kernel's own is among them when we run in one). */
function loadedTslabModules(): TslabJupyterModule[] {
  return Object.keys(require.cache)
    .filter((file) => TSLAB_JUPYTER_MODULE.test(file))
    .map((file) => require.cache[file]?.exports as TslabJupyterModule | undefined)
    .filter((exports): exports is TslabJupyterModule => exports !== undefined && "lastWriteDisplayData" in exports);
}

/** Resolve tslab the way the kernel did (from its entry script), falling back to our own resolution. */
function resolvedTslabModule(): TslabJupyterModule | null {
  const searchFrom = [process.argv[1] ? path.dirname(process.argv[1]) : process.cwd(), process.cwd(), __dirname];
  try {
    const file = require.resolve("tslab/dist/jupyter", { paths: searchFrom });
    // Only use it if it is already loaded: loading a fresh copy can never be the kernel's.
    return (require.cache[file]?.exports as TslabJupyterModule | undefined) ?? null;
  } catch {
    return null;
  }
}

/** The kernel's display writer, or null when this code is not running inside a tslab kernel. */
export function kernelDisplayWriter(): WriteDisplayData | null {
  for (const module of [resolvedTslabModule(), ...loadedTslabModules()]) {
    if (module && typeof module.lastWriteDisplayData === "function") return module.lastWriteDisplayData;
  }
  return null;
}

/** True inside a tslab kernel that is executing (or has executed) a cell. */
export function inKernel(): boolean {
  return kernelDisplayWriter() !== null;
}

/**
 * Send one display_data message carrying every MIME type in `bundle`. Returns false (and sends nothing) outside a
 * kernel, so callers can print a text description instead.
 */
export function writeDisplayData(bundle: MimeBundle, metadata: Record<string, unknown> = {}): boolean {
  const write = kernelDisplayWriter();
  if (write === null) return false;
  write({ data: bundle, metadata, transient: {} }, false);
  return true;
}
