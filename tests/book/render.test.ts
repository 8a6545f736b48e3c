import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildBook, type BuildResult } from "../../scripts/book/build";
import { readBookConfig } from "../../scripts/book/config";
import type { SearchEntry } from "../../scripts/book/search-index";

const FIXTURE_PROJECT = path.join(__dirname, "fixtures", "project");
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
const JPEG_SIGNATURE = Buffer.from([0xff, 0xd8, 0xff]);

/** The sidebar's links in document order: [href, text, current]. */
function sidebarLinks(html: string): Array<[string, string, boolean]> {
  const toc = html.slice(html.indexOf('<ul class="toc">'), html.indexOf("</nav>"));
  return Array.from(toc.matchAll(/<a href="([^"]+)"( class="current" aria-current="page")?>(.*?)<\/a>/g), (match) => [
    match[1],
    match[3].replace(/<span class="chapter-number">[^<]*<\/span> /, "").replace(/<[^>]+>/g, ""),
    match[2] !== undefined,
  ]);
}

function linkWithRel(html: string, rel: "prev" | "next"): string | null {
  return new RegExp(`rel="${rel}" href="([^"]+)"`).exec(html)?.[1] ?? null;
}

describe("book renderer (fixture book)", function () {
  let outputDir = "";
  let book: BuildResult;
  const page = (output: string) => fs.readFileSync(path.join(outputDir, output), "utf8");

  before(function () {
    outputDir = fs.mkdtempSync(path.join(os.tmpdir(), "book-render-"));
    book = buildBook({ projectRoot: FIXTURE_PROJECT, outputDir });
  });

  after(function () {
    fs.rmSync(outputDir, { recursive: true, force: true });
  });

  it("writes one page per entry of _quarto.yml, beside the source's name, titled by its first heading or front matter", function () {
    expect(book.pages.map((rendered) => [rendered.output, rendered.title])).to.deep.equal([
      ["index.html", "Fixture home"],
      ["notebooks/index.html", "Fixture preface"],
      ["notebooks/01-alpha.html", "Alpha outputs (阿尔法)"],
      ["notebooks/02-beta.html", "Beta figure"],
      ["notebooks/00-appendix.html", "Fixture appendix"],
    ]);
    for (const rendered of book.pages) expect(fs.existsSync(path.join(outputDir, rendered.output)), rendered.output).to.equal(true);
    expect(page("index.html")).to.contain('<h1 class="title">Fixture home</h1>');
  });

  it("lists every page in the sidebar in _quarto.yml's order, under its part, with the current page marked", function () {
    const config = readBookConfig(FIXTURE_PROJECT);
    for (const [index, rendered] of book.pages.entries()) {
      const links = sidebarLinks(page(rendered.output));
      const targets = links.map(([href]) => path.posix.normalize(path.posix.join(path.posix.dirname(rendered.output), href)));
      expect(targets, rendered.output).to.deep.equal(book.pages.map((other) => other.output));
      expect(links.map(([, text]) => text)).to.deep.equal(book.pages.map((other) => other.title));
      expect(links.map(([, , current]) => current)).to.deep.equal(book.pages.map((_, other) => other === index));
    }
    const parts = Array.from(page("index.html").matchAll(/<span class="part-title">([^<]*)<\/span>/g), (match) => match[1]);
    expect(parts).to.deep.equal(["Part one", "Part two", "Appendices"]);
    expect(config.entries.map((entry) => entry.part)).to.deep.equal([null, null, "Part one", "Part two", "Appendices"]);
  });

  it("links each page to the previous and next one in reading order", function () {
    for (const [index, rendered] of book.pages.entries()) {
      const html = page(rendered.output);
      const resolve = (href: string | null) => (href === null ? null : path.posix.normalize(path.posix.join(path.posix.dirname(rendered.output), href)));
      expect(resolve(linkWithRel(html, "prev")), `${rendered.output} prev`).to.equal(book.pages[index - 1]?.output ?? null);
      expect(resolve(linkWithRel(html, "next")), `${rendered.output} next`).to.equal(book.pages[index + 1]?.output ?? null);
    }
  });

  it("renders math with KaTeX at build time and ships KaTeX's stylesheet and fonts", function () {
    const html = page("notebooks/index.html");
    expect(html).to.match(/<span class="katex">/);
    expect(html).to.match(/class="katex-display"/);
    expect(html).to.contain("<math");
    expect(html).not.to.contain("$$");
    expect(html).to.contain('href="../assets/katex/katex.min.css"');
    expect(fs.existsSync(path.join(outputDir, "assets", "katex", "katex.min.css"))).to.equal(true);
    expect(fs.readdirSync(path.join(outputDir, "assets", "katex", "fonts")).some((font) => font.endsWith(".woff2"))).to.equal(true);
  });

  it("highlights code cells as TypeScript", function () {
    expect(page("notebooks/01-alpha.html")).to.contain('<code class="hljs language-typescript"><span class="hljs-keyword">const</span>');
  });

  it("renders every output kind of the fixture: streams, text, images as files, errors, markdown", function () {
    const html = page("notebooks/01-alpha.html");
    expect(html).to.contain('<div class="cell-output cell-output-stdout"><pre>hello from stdout\nepoch 1 100%</pre></div>');
    expect(html).to.contain('<div class="cell-output cell-output-stderr"><pre>careful: a warning</pre></div>');
    expect(html).to.contain('<div class="cell-output cell-output-text"><pre>42</pre></div>');
    expect(html).to.contain('<div class="cell-output cell-output-error"><pre>Error: shape mismatch\n    at &lt;anonymous&gt;:1:7</pre></div>');
    expect(html).to.contain("<strong>bold</strong> output");
    expect(html).not.to.contain("\u001b[");
    expect(html).not.to.contain("const hidden"); // the remove-cell tag

    const images = Array.from(html.matchAll(/<img src="([^"]+)"/g), (match) => match[1]);
    expect(images).to.deep.equal(["images/gradient.png", "01-alpha_files/attachment-1.png", "01-alpha_files/output-2.png", "01-alpha_files/output-3.jpeg"]);
    for (const image of images) {
      const bytes = fs.readFileSync(path.join(outputDir, "notebooks", image));
      const signature = image.endsWith(".jpeg") ? JPEG_SIGNATURE : PNG_SIGNATURE;
      expect(bytes.subarray(0, signature.length).equals(signature), image).to.equal(true);
    }
  });

  it("shows a figure's PNG at once; pages with figures only get figures.js, which loads plotly.js later; nothing blocks", function () {
    const figurePage = page("notebooks/02-beta.html");
    const head = figurePage.slice(0, figurePage.indexOf("</head>"));
    expect(head.match(/<script src="\.\.\/assets\/figures\.js" data-plotly="\.\.\/assets\/plotly\.min\.js" defer><\/script>/g)).to.have.length(1);
    const external = head.match(/<script src=[^>]*>/g) ?? [];
    expect(external.length).to.be.greaterThan(1);
    expect(external.filter((tag) => !/ (defer|async)\b/.test(tag)), "no blocking script in the head").to.deep.equal([]);
    expect(figurePage).not.to.match(/<script src="[^"]*plotly\.min\.js"/);
    expect(figurePage).to.match(/<figure class="plotly-figure"[^>]* data-plotly-figure [^>]*role="figure" aria-label="Figure: [^"]+"/);
    expect(figurePage).to.match(/<img class="plotly-static" src="02-beta_files\/output-1\.png"/);
    expect(page("notebooks/01-alpha.html")).not.to.contain("plotly.min.js");
    expect(page("notebooks/01-alpha.html")).not.to.contain("figures.js");
    const shipped = fs.statSync(path.join(outputDir, "assets", "plotly.min.js")).size;
    expect(shipped).to.equal(fs.statSync(require.resolve("plotly.js-dist-min/plotly.min.js")).size);
  });

  it("numbers chapters as their files do (01- is 1), letters appendices, and leaves the home page and preface unnumbered", function () {
    const numbers = Array.from(page("index.html").matchAll(/<span class="chapter-number">([^<]*)<\/span>/g), (match) => match[1]);
    expect(numbers).to.deep.equal(["1", "2", "A"]);
    expect(page("notebooks/01-alpha.html")).to.match(/<h1 id="[^"]+"><span class="chapter-number">1<\/span> Alpha outputs/);
  });

  it("gives every page a table of its sections, heading anchors, and its notebook to download beside a source link", function () {
    const html = page("notebooks/01-alpha.html");
    const toc = html.slice(html.indexOf('<aside class="page-toc"'), html.indexOf("</aside>"));
    expect(toc).to.contain('<a href="#streams">');
    expect(html).to.contain('<a class="anchor" href="#streams" aria-label="Link to this section">#</a></h2>');
    expect(toc).to.contain('<a class="download-notebook" href="01-alpha.ipynb" download>Download this notebook (.ipynb)</a>');
    expect(toc).to.contain('<a class="view-source" href="01-alpha.ipynb">View source</a>');
    const copied = fs.readFileSync(path.join(outputDir, "notebooks", "01-alpha.ipynb"), "utf8");
    expect(copied).to.equal(fs.readFileSync(path.join(FIXTURE_PROJECT, "notebooks", "01-alpha.ipynb"), "utf8"));
    expect(page("index.html")).not.to.contain("download-notebook"); // a .qmd page has no notebook
  });

  it("marks Chinese text lang=zh-Hans in headings, the sidebar and prose", function () {
    const html = page("notebooks/01-alpha.html");
    expect(html).to.contain('Alpha outputs (<span lang="zh-Hans">阿尔法</span>)');
    const sidebar = html.slice(html.indexOf('<ul class="toc">'), html.indexOf("</nav>"));
    expect(sidebar).to.contain('<span lang="zh-Hans">阿尔法</span>');
  });

  it("points links to other notebooks at their pages", function () {
    const html = page("notebooks/index.html");
    expect(html).to.contain('href="01-alpha.html#streams"');
    expect(html).to.contain('href="../index.html"');
    expect(page("notebooks/01-alpha.html")).to.contain('<h2 id="streams">');
  });

  it("writes a search index with one entry per section, linked to the section's anchor", function () {
    const entries = JSON.parse(fs.readFileSync(path.join(outputDir, "search.json"), "utf8")) as SearchEntry[];
    const streams = entries.find((entry) => entry.section === "Streams");
    expect(streams).to.deep.include({ page: "Alpha outputs (阿尔法)", href: "notebooks/01-alpha.html#streams" });
    expect(streams?.text).to.contain('console.log("hello from stdout")');
    expect(new Set(entries.map((entry) => entry.page))).to.deep.equal(new Set(book.pages.map((rendered) => rendered.title)));
  });

  it("rebuilds its own output folder, but never wipes a folder it did not make", function () {
    expect(() => buildBook({ projectRoot: FIXTURE_PROJECT, outputDir })).not.to.throw();
    const foreign = fs.mkdtempSync(path.join(os.tmpdir(), "book-foreign-"));
    try {
      fs.writeFileSync(path.join(foreign, "precious.txt"), "keep me");
      expect(() => buildBook({ projectRoot: FIXTURE_PROJECT, outputDir: foreign })).to.throw(/was not made by this renderer or Quarto/);
      expect(fs.readFileSync(path.join(foreign, "precious.txt"), "utf8")).to.equal("keep me");
    } finally {
      fs.rmSync(foreign, { recursive: true, force: true });
    }
  });

  it("stops with an error naming a chapter file that is missing", function () {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "book-missing-"));
    try {
      fs.cpSync(FIXTURE_PROJECT, copy, { recursive: true });
      fs.rmSync(path.join(copy, "notebooks", "01-alpha.ipynb"));
      expect(() => buildBook({ projectRoot: copy, outputDir: path.join(copy, "_book") })).to.throw(/notebooks\/01-alpha\.ipynb/);
      expect(fs.existsSync(path.join(copy, "_book"))).to.equal(false);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});
