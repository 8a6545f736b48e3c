/**
 * Map iopub messages to nbformat outputs, the way a Jupyter front end would keep them:
 * consecutive stream chunks of the same name merge (carriage-return progress collapses to its last state),
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
  readonly outputs: CellOutput[] = [];
  private clearBeforeNextOutput = false;

  constructor(private readonly displays: DisplayRegistry = new DisplayRegistry()) {}

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
        else this.outputs.length = 0;
        return true;
      default:
        return false;
    }
  }

  /** Add an output the kernel did not send (the runner's own error or timeout report). */
  push(output: CellOutput): void {
    this.beforeOutput();
    this.outputs.push(output);
  }

  private beforeOutput(): void {
    if (this.clearBeforeNextOutput) {
      this.outputs.length = 0;
      this.clearBeforeNextOutput = false;
    }
  }

  private addStream({ name, text }: StreamContent): void {
    this.beforeOutput();
    const last = this.outputs[this.outputs.length - 1];
    if (last?.output_type === "stream" && last.name === name) {
      last.text = collapseCarriageReturns(joinText(last.text) + text);
    } else {
      this.outputs.push({ output_type: "stream", name, text: collapseCarriageReturns(text) });
    }
  }

  private addDisplay(content: DisplayDataContent): void {
    this.beforeOutput();
    const output: DisplayDataOutput = { output_type: "display_data", data: { ...content.data }, metadata: { ...(content.metadata ?? {}) } };
    this.outputs.push(output);
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
    this.outputs.push(output);
    if (content.transient?.display_id !== undefined) this.displays.register(content.transient.display_id, output);
  }

  private addError({ ename, evalue, traceback }: ErrorContent): void {
    this.beforeOutput();
    this.outputs.push({ output_type: "error", ename, evalue, traceback: [...(traceback ?? [])] });
  }
}

function joinText(text: string | string[]): string {
  return Array.isArray(text) ? text.join("") : text;
}

/**
 * Keep what a terminal would show for "\r"-rewritten lines (progress bars): drop everything up to the last "\r"
 * that is followed by more text on the same line (nbconvert's coalesce_streams does the same). A trailing "\r" stays
 * until the next chunk arrives, so progress split across chunks collapses too.
 */
export function collapseCarriageReturns(text: string): string {
  return text.replace(/\r+\n/g, "\n").replace(/[^\n]*\r(?=[^\n\r])/g, "");
}
