/**
 * A one-line status that updates in place: in a Jupyter (tslab) kernel through one display whose `display_id` is
 * updated (update_display_data), in a terminal with `\r`, and elsewhere (pipes, CI logs) as plain lines printed
 * only when the caller says a line is final, so logs are not flooded.
 */

/** Where a live line is drawn. */
export type LiveLineTarget = "jupyter" | "terminal" | "log";

export interface LiveLine {
  readonly target: LiveLineTarget;
  /** Replace the line's text (throttled by the caller). */
  update(text: string): void;
  /** Show the final text; a terminal moves to the next line; a log prints it. */
  finish(text: string): void;
}

type WriteDisplayData = (
  content: { data: Record<string, string>; metadata: Record<string, unknown>; transient: Record<string, unknown> },
  update: boolean,
) => void;

const TSLAB_JUPYTER_MODULE = /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/;

/**
 * The running tslab kernel's display writer, or null outside a kernel. It must be the kernel's own loaded module
 * (a fresh `require` could load another copy whose writer is null), so only the module cache is searched.
 */
function kernelWriter(): WriteDisplayData | null {
  for (const file of Object.keys(require.cache)) {
    if (!TSLAB_JUPYTER_MODULE.test(file)) continue;
    const writer = (require.cache[file]?.exports as { lastWriteDisplayData?: unknown } | undefined)?.lastWriteDisplayData;
    if (typeof writer === "function") return writer as WriteDisplayData;
  }
  return null;
}

let displayCounter = 0;

/** A display the kernel shows once and then replaces in place (update_display_data with the same display_id). */
function jupyterLine(write: WriteDisplayData): LiveLine {
  displayCounter += 1;
  const displayId = `cnn-live-${process.pid}-${Date.now()}-${displayCounter}`;
  let shown = false;
  const show = (text: string) => {
    try {
      write({ data: { "text/plain": text }, metadata: {}, transient: { display_id: displayId } }, shown);
      shown = true;
    } catch {
      // A progress update lost (the kernel's channel closed) must never stop training.
    }
  };
  return { target: "jupyter", update: show, finish: show };
}

/** Which target a new live line would use in this process. */
export function liveLineTarget(): LiveLineTarget {
  if (kernelWriter() !== null) return "jupyter";
  return process.stdout.isTTY ? "terminal" : "log";
}

/** Open a live line. `target` forces one (tests); by default the best available is used. */
export function openLiveLine(target: LiveLineTarget = liveLineTarget(), write: (s: string) => void = (s) => process.stdout.write(s)): LiveLine {
  if (target === "jupyter") {
    const writer = kernelWriter();
    if (writer !== null) return jupyterLine(writer);
    target = "log";
  }
  if (target === "terminal") {
    let width = 0;
    // Pad with spaces so a shorter line fully covers the longer one it replaces.
    const draw = (text: string) => {
      const padded = text.padEnd(width);
      width = Math.max(width, text.length);
      write(`\r${padded}`);
    };
    return { target, update: draw, finish: (text) => { draw(text); write("\n"); } };
  }
  return { target: "log", update: () => undefined, finish: (text) => write(`${text}\n`) };
}
