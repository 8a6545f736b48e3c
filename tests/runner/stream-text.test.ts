import { expect } from "chai";
import { StreamText, collapseCarriageReturns } from "../../scripts/jupyter/stream-text";

describe("runner: stream text (carriage returns, the size cap)", () => {
  it("collapses \\r rewrites the way a terminal shows them, across any chunk boundary", () => {
    const text = "a\r\nb 10%\rb 50%\rb 100%\nc\r\r\nlast 1\rlast 2\r";
    const whole = collapseCarriageReturns(text);
    expect(whole).to.equal("a\nb 100%\nc\nlast 2\r");
    for (let size = 1; size <= 5; size++) {
      const stream = new StreamText("stdout");
      for (let at = 0; at < text.length; at += size) stream.append(text.slice(at, at + size));
      expect(stream.text, `chunks of ${size}`).to.equal(whole);
    }
  });

  it("keeps everything within the limit", () => {
    const stream = new StreamText("stdout", 1000);
    for (let i = 0; i < 50; i++) stream.append(`line ${String(i).padStart(3, "0")}\n`);
    expect(stream.text).to.equal(Array.from({ length: 50 }, (_, i) => `line ${String(i).padStart(3, "0")}\n`).join(""));
    expect(stream.stats.droppedChars).to.equal(0);
  });

  it("past the limit keeps whole lines from the head and the tail and says exactly what was dropped", () => {
    const stream = new StreamText("stderr", 1000);
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${String(i).padStart(3, "0")}\n`); // 9 characters each
    for (const line of lines) stream.append(line);
    const [head, rest] = stream.text.split("\n[… ");
    const [note, tail] = rest.split(" …]\n\n");
    expect(head.length).to.be.at.most(500);
    expect(head).to.equal(lines.slice(0, head.length / 9).join(""), "the head ends at a line's end");
    expect(lines.join("").endsWith(tail)).to.equal(true);
    expect(tail.startsWith("line ")).to.equal(true, "the tail starts at a line");
    const dropped = 9000 - head.length - tail.length;
    expect(note).to.include(`8.0 K characters (${dropped / 9} lines) of stderr dropped here`);
    expect(stream.stats).to.deep.equal({ chars: 9000, droppedChars: dropped, droppedLines: dropped / 9 });
  });

  it("bounds one endless line too (no newline ever), keeping its start and end", () => {
    const stream = new StreamText("stdout", 10_000);
    for (let i = 0; i < 1000; i++) stream.append(i === 0 ? "START" + "x".repeat(995) : i === 999 ? "x".repeat(997) + "END" : "x".repeat(1000));
    const text = stream.text;
    expect(text.startsWith("START")).to.equal(true);
    expect(text.endsWith("END")).to.equal(true);
    expect(text.length).to.be.below(10_000 + 2 * 2500 + 300, "limit + the open line (a quarter of the limit, twice) + the note");
    expect(stream.stats.chars).to.equal(1_000_000);
  });
});
