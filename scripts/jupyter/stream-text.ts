/**
 * One stream output's text as it arrives in chunks, kept the way a terminal shows it and within a size limit.
 *
 * Linear in the text's length: each chunk is scanned once, and "\r" rewrites only touch the line still open (a
 * progress line redrawn with "\r" keeps its last state, "\r\n" is a newline, as nbconvert's coalesce_streams does).
 * Within the limit every character is kept. Past it, the head and the tail are kept (half the limit each) and the
 * middle is counted, so the stored text says how much was dropped — the way Jupyter front ends trim huge output.
 */

/** A line longer than this is stored in pieces, so a single huge line cannot grow without bound. */
const OPEN_LINE_PIECE = 64 * 1024;
const LINE_BREAKS = /[\r\n]/g;

export interface StreamTextStats {
  /** Characters the cell wrote after "\r" collapsing (kept + dropped). */
  chars: number;
  droppedChars: number;
  droppedLines: number;
}

export class StreamText {
  private readonly head: string[] = [];
  private headChars = 0;
  private readonly tail: string[] = [];
  private tailChars = 0;
  private tailStart = 0;
  private droppedChars = 0;
  private droppedLines = 0;
  private totalChars = 0;
  /** The line still open: "\r" may yet rewrite it. */
  private openLine = "";
  /** A "\r" ended the last chunk: the next character decides (newline, or a rewrite of the open line). */
  private pendingReturn = false;
  /** Past twice this, the open line's start is stored (it can no longer be a progress bar). */
  private readonly openPiece: number;

  constructor(
    readonly name: "stdout" | "stderr",
    private readonly limitChars: number = Infinity,
  ) {
    this.openPiece = Math.min(OPEN_LINE_PIECE, Math.max(1024, Math.floor(limitChars / 4)));
  }

  append(text: string): void {
    let start = 0;
    LINE_BREAKS.lastIndex = 0;
    for (let match = LINE_BREAKS.exec(text); match !== null; match = LINE_BREAKS.exec(text)) {
      this.addToOpenLine(text.slice(start, match.index));
      if (match[0] === "\n") {
        this.pendingReturn = false;
        this.commit(this.openLine + "\n");
        this.openLine = "";
      } else {
        this.pendingReturn = true;
      }
      start = match.index + 1;
    }
    this.addToOpenLine(text.slice(start));
  }

  /** The text to store: head, a note about what was dropped (if anything), tail, then the open line. */
  get text(): string {
    const open = this.openLine + (this.pendingReturn ? "\r" : "");
    if (this.droppedChars === 0) return this.head.join("") + this.tailText() + open;
    return this.head.join("") + droppedNote(this.name, this.droppedChars, this.droppedLines, this.limitChars) + this.tailText() + open;
  }

  get stats(): StreamTextStats {
    return { chars: this.totalChars + this.openLine.length, droppedChars: this.droppedChars, droppedLines: this.droppedLines };
  }

  private addToOpenLine(piece: string): void {
    if (piece === "") return;
    if (this.pendingReturn) {
      this.openLine = "";
      this.pendingReturn = false;
    }
    this.openLine += piece;
    // A line this long is no progress bar: store its start, keep only the rest open.
    if (this.openLine.length > this.openPiece * 2) {
      const cut = this.openLine.length - this.openPiece;
      this.commit(this.openLine.slice(0, cut));
      this.openLine = this.openLine.slice(cut);
    }
  }

  private commit(piece: string): void {
    this.totalChars += piece.length;
    const headRoom = Math.ceil(this.limitChars / 2) - this.headChars;
    if (this.droppedChars === 0 && this.tailChars === 0 && headRoom >= piece.length) {
      this.head.push(piece);
      this.headChars += piece.length;
      return;
    }
    if (this.tailChars === 0 && headRoom > 0 && this.droppedChars === 0) {
      // Fill the head to its limit at a line boundary if there is one, else at the limit.
      // (a short line that does not fit goes to the tail whole; only a first, huge piece is cut inside a line)
      const lastBreak = piece.lastIndexOf("\n", headRoom - 1);
      const cut = lastBreak >= 0 ? lastBreak + 1 : this.headChars === 0 ? headRoom : 0;
      this.head.push(piece.slice(0, cut));
      this.headChars += cut;
      piece = piece.slice(cut);
    }
    this.tail.push(piece);
    this.tailChars += piece.length;
    this.trimTail();
  }

  /** Drop whole pieces from the front of the tail while it is over its half of the limit. */
  private trimTail(): void {
    const tailLimit = Math.floor(this.limitChars / 2);
    while (this.tailChars > tailLimit && this.tailStart < this.tail.length) {
      const first = this.tail[this.tailStart];
      const excess = this.tailChars - tailLimit;
      if (first.length <= excess) {
        this.drop(first);
        this.tail[this.tailStart++] = "";
        this.tailChars -= first.length;
      } else {
        // Cut inside this piece, at a line start where possible, so the tail begins with a whole line.
        const nextBreak = first.indexOf("\n", excess - 1);
        const cut = nextBreak >= 0 ? nextBreak + 1 : excess;
        this.drop(first.slice(0, cut));
        if (cut === first.length) this.tail[this.tailStart++] = "";
        else this.tail[this.tailStart] = first.slice(cut);
        this.tailChars -= cut;
      }
    }
    // Compact now and then so the array does not keep every dropped slot.
    if (this.tailStart > 1024 && this.tailStart * 2 > this.tail.length) {
      this.tail.splice(0, this.tailStart);
      this.tailStart = 0;
    }
  }

  private drop(piece: string): void {
    this.droppedChars += piece.length;
    for (let at = piece.indexOf("\n"); at >= 0; at = piece.indexOf("\n", at + 1)) this.droppedLines++;
  }

  private tailText(): string {
    return this.tailStart === 0 ? this.tail.join("") : this.tail.slice(this.tailStart).join("");
  }
}

function droppedNote(name: string, chars: number, lines: number, limit: number): string {
  return `\n[… ${formatChars(chars)} (${lines.toLocaleString("en-US")} lines) of ${name} dropped here: the runner keeps ` +
    `the first and last ${formatChars(limit / 2)} of a cell's ${name} (--max-output-chars ${limit}) …]\n\n`;
}

export function formatChars(chars: number): string {
  if (chars >= 1e6) return `${(chars / 1e6).toFixed(1)} M characters`;
  if (chars >= 1e3) return `${(chars / 1e3).toFixed(1)} K characters`;
  return `${chars} characters`;
}

/** Collapse "\r" rewrites in one piece of text (what StreamText does to a stream). */
export function collapseCarriageReturns(text: string): string {
  const stream = new StreamText("stdout");
  stream.append(text);
  return stream.text;
}
