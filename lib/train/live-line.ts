/**
 * A one-line status that updates in place: in a Jupyter (tslab) kernel through one display whose `display_id` is
 * updated (update_display_data), in a terminal with `\r`, and elsewhere (pipes, CI logs) as plain lines printed
 * only when the caller says a line is final, so logs are not flooded.
 *
 * A live BLOCK is the same idea for a log that grows: finished lines accumulate above one live line. In a kernel
 * the whole block is ONE output (one display, updated in place), so a 100-epoch training is one compact output, not
 * 100; in a terminal finished lines scroll up and the live line redraws under them; in a log only finished lines
 * are printed.
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

function newDisplayId(): string {
  displayCounter += 1;
  return `cnn-live-${process.pid}-${Date.now()}-${displayCounter}`;
}

/** A display the kernel shows once and then replaces in place (update_display_data with the same display_id). */
function jupyterLine(write: WriteDisplayData): LiveLine {
  const displayId = newDisplayId();
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

/** A log of finished lines with one live line under them (see the file's comment). */
export interface LiveBlock {
  readonly target: LiveLineTarget;
  /** Append a finished line (it stays). */
  commit(line: string): void;
  /** Replace the live line under the finished ones ("" hides it). */
  live(text: string): void;
  /** Drop the live line and leave the finished lines. */
  close(): void;
}

export interface LiveBlockOptions {
  /** Stored with the output in a kernel (the book recognises a training log by it). */
  metadata?: Record<string, unknown>;
}

/** Open a live block. `target` forces one (tests); by default the best available is used. */
export function openLiveBlock(
  target: LiveLineTarget = liveLineTarget(),
  options: LiveBlockOptions = {},
  write: (s: string) => void = (s) => process.stdout.write(s),
): LiveBlock {
  if (target === "jupyter") {
    const writer = kernelWriter();
    if (writer !== null) return jupyterBlock(writer, options.metadata ?? {});
    target = "log";
  }
  if (target === "terminal") {
    let width = 0;
    const clear = () => {
      if (width > 0) write(`\r${" ".repeat(width)}\r`);
      width = 0;
    };
    return {
      target,
      commit: (line) => {
        clear();
        write(`${line}\n`);
      },
      live: (text) => {
        clear();
        write(text);
        width = text.length;
      },
      close: clear,
    };
  }
  return {
    target: "log",
    commit: (line) => write(`${line}\n`),
    live: () => undefined,
    close: () => undefined,
  };
}

function jupyterBlock(write: WriteDisplayData, metadata: Record<string, unknown>): LiveBlock {
  const displayId = newDisplayId();
  const lines: string[] = [];
  let liveText = "";
  let shown = false;
  const show = () => {
    const text = [...lines, ...(liveText !== "" ? [liveText] : [])].join("\n");
    if (text === "" && !shown) return;
    try {
      write({ data: { "text/plain": text }, metadata, transient: { display_id: displayId } }, shown);
      shown = true;
    } catch {
      // A progress update lost (the kernel's channel closed) must never stop training.
    }
  };
  return {
    target: "jupyter",
    commit: (line) => {
      lines.push(line);
      show();
    },
    live: (text) => {
      liveText = text;
      show();
    },
    close: () => {
      if (liveText === "") return;
      liveText = "";
      show();
    },
  };
}
