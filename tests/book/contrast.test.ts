/**
 * Syntax colours must be readable: every colour in book/highlight.css reaches WCAG AA (4.5:1) on both code
 * backgrounds of book/book.css (the TypeScript cells' and the book's Python).
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";

const BOOK = path.resolve(__dirname, "..", "..", "book");
const AA = 4.5;

function luminance(hex: string): number {
  const channels = hex.replace("#", "").match(/../g)!.map((pair) => parseInt(pair, 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

/** `color: #xxxxxx` declarations (the foregrounds) of a stylesheet, with their selectors. */
function foregrounds(css: string): Array<{ selector: string; colour: string }> {
  return Array.from(css.replace(/\/\*[\s\S]*?\*\//g, "").matchAll(/([^{}]+)\{([^}]*)\}/g)).flatMap((rule) =>
    Array.from(rule[2].matchAll(/(?:^|;)\s*color:\s*(#[0-9a-fA-F]{6})/g), (match) => ({ selector: rule[1].trim(), colour: match[1] })),
  );
}

describe("the book's syntax colours", function () {
  it("computes WCAG contrast ratios", function () {
    expect(contrast("#000000", "#ffffff")).to.be.closeTo(21, 1e-9);
    expect(contrast("#777777", "#ffffff")).to.be.closeTo(4.48, 0.01); // the classic just-failing grey
  });

  it("every colour of highlight.css reaches 4.5:1 on the TypeScript and the Python code backgrounds", function () {
    const bookCss = fs.readFileSync(path.join(BOOK, "book.css"), "utf8");
    const codeBackground = /--code-bg:\s*(#[0-9a-f]{6})/i.exec(bookCss)![1];
    const pythonBackground = /\.code-reference \{[^}]*background:\s*(#[0-9a-f]{6})/i.exec(bookCss)![1];
    const colours = foregrounds(fs.readFileSync(path.join(BOOK, "highlight.css"), "utf8"));
    expect(colours.length).to.be.greaterThan(10);
    const failing = colours.flatMap(({ selector, colour }) =>
      [codeBackground, pythonBackground]
        .map((background) => ({ background, ratio: contrast(colour, background) }))
        .filter(({ ratio }) => ratio < AA)
        .map(({ background, ratio }) => `${selector}: ${colour} on ${background} is ${ratio.toFixed(2)}:1`),
    );
    expect(failing).to.deep.equal([]);
  });

  it("the Python label and the muted text of book.css are readable too", function () {
    const bookCss = fs.readFileSync(path.join(BOOK, "book.css"), "utf8");
    const muted = /--muted:\s*(#[0-9a-f]{6})/i.exec(bookCss)![1];
    const label = /\.code-reference \.code-label \{[^}]*color:\s*(#[0-9a-f]{6})/i.exec(bookCss)![1];
    expect(contrast(muted, "#ffffff")).to.be.at.least(AA);
    expect(contrast(muted, /--code-bg:\s*(#[0-9a-f]{6})/i.exec(bookCss)![1])).to.be.at.least(AA);
    expect(contrast(label, "#fbf7ea")).to.be.at.least(AA);
  });
});
