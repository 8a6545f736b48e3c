/**
 * Map iopub messages to nbformat outputs, the way a Jupyter front end would keep them:
 * consecutive stream chunks of the same name merge (carriage-return progress collapses to its last state; past
 * `maxStreamChars` the head and tail are kept, see stream-text.ts),
 * display_data keeps every mime type, update_display_data rewrites every output shown with that display_id
 * (in any cell of the notebook), clear_output empties the cell (at the next output when `wait` is set).
 */
import type {
  ClearOutputContent,
  DisplayDataContent,
  ErrorContent,
  ExecuteResultContent,
  JupyterMessage,
  StreamContent,
} from "./messages";
import type { CellOutput, DisplayDataOutput, ExecuteResultOutput } from "./nbformat";
import { StreamText, type StreamTextStats } from "./stream-text";

export { collapseCarriageReturns } from "./stream-text";

/** Characters of one stream output a cell may store (head and tail halves are kept past it): 1 M characters. */
export const DEFAULT_MAX_STREAM_CHARS = 1_000_000;

type DisplayedOutput = DisplayDataOutput | ExecuteResultOutput;

/** Notebook-wide: which outputs show which display_id, so an update in a later cell reaches them. */
export class DisplayRegistry {
  private readonly byId = new Map<string, DisplayedOutput[]>();

  register(displayId: string, output: DisplayedOutput): void {
    const list = this.byId.get(displayId) ?? [];
    list.push(output);
    this.byId.set(displayId, list);
  }

  update(displayId: string, content: DisplayDataContent): number {
    const shown = this.byId.get(displayId) ?? [];
    for (const output of shown) {
      output.data = { ...content.data };
      output.metadata = { ...(content.metadata ?? {}) };
    }
    return shown.length;
  }
}

/** Collects one cell's outputs. */
export class CellOutputCollector {
  /** Outputs in order; streams stay StreamText until read, so a long stream is never re-joined per chunk. */
  private readonly entries: Array<CellOutput | StreamText> = [];
  private clearBeforeNextOutput = false;

  constructor(
    private readonly displays: DisplayRegistry = new DisplayRegistry(),
    private readonly maxStreamChars: number = DEFAULT_MAX_STREAM_CHARS,
  ) {}

  /** The cell's outputs as nbformat outputs (stream text materialized now). */
  get outputs(): CellOutput[] {
    return this.entries.map((entry) => (entry instanceof StreamText ? { output_type: "stream", name: entry.name, text: entry.text } : entry));
  }

  /** Size and trimming of each stream output, in order. */
  get streamStats(): Array<StreamTextStats & { name: "stdout" | "stderr" }> {
    return this.entries.filter((entry): entry is StreamText => entry instanceof StreamText).map((entry) => ({ name: entry.name, ...entry.stats }));
  }

  /** Apply one iopub message; returns false for messages that are not outputs (status, execute_input, …). */
  handle(message: JupyterMessage): boolean {
    const content = message.content as unknown;
    switch (message.header.msg_type) {
      case "stream":
        this.addStream(content as StreamContent);
        return true;
      case "display_data":
        this.addDisplay(content as DisplayDataContent);
        return true;
      case "execute_result":
        this.addExecuteResult(content as ExecuteResultContent);
        return true;
      case "update_display_data": {
        const { transient } = content as DisplayDataContent;
        if (transient?.display_id !== undefined) this.displays.update(transient.display_id, content as DisplayDataContent);
        return true;
      }
      case "error":
        this.addError(content as ErrorContent);
        return true;
      case "clear_output":
        if ((content as ClearOutputContent).wait) this.clearBeforeNextOutput = true;
        else this.entries.length = 0;
        return true;
      default:
        return false;
    }
  }

  /** Add an output the kernel did not send (the runner's own error or timeout report). */
  push(output: CellOutput): void {
    this.beforeOutput();
    this.entries.push(output);
  }

  private beforeOutput(): void {
    if (this.clearBeforeNextOutput) {
      this.entries.length = 0;
      this.clearBeforeNextOutput = false;
    }
  }

  private addStream({ name, text }: StreamContent): void {
    this.beforeOutput();
    const last = this.entries[this.entries.length - 1];
    if (last instanceof StreamText && last.name === name) {
      last.append(text);
    } else {
      const stream = new StreamText(name, this.maxStreamChars);
      stream.append(text);
      this.entries.push(stream);
    }
  }

  private addDisplay(content: DisplayDataContent): void {
    this.beforeOutput();
    const output: DisplayDataOutput = { output_type: "display_data", data: { ...content.data }, metadata: { ...(content.metadata ?? {}) } };
    this.entries.push(output);
    if (content.transient?.display_id !== undefined) this.displays.register(content.transient.display_id, output);
  }

  private addExecuteResult(content: ExecuteResultContent): void {
    this.beforeOutput();
    const output: ExecuteResultOutput = {
      output_type: "execute_result",
      execution_count: content.execution_count ?? null,
      data: { ...content.data },
      metadata: { ...(content.metadata ?? {}) },
    };
    this.entries.push(output);
    if (content.transient?.display_id !== undefined) this.displays.register(content.transient.display_id, output);
  }

  private addError({ ename, evalue, traceback }: ErrorContent): void {
    this.beforeOutput();
    this.entries.push({ output_type: "error", ename, evalue, traceback: [...(traceback ?? [])] });
  }
}

