import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { APPENDICES_TITLE, outputPathFor, parseBookConfig, readBookConfig } from "../../scripts/book/config";

const REPOSITORY_ROOT = path.resolve(__dirname, "..", "..");
const FIXTURE_PROJECT = path.join(__dirname, "fixtures", "project");

describe("book config (_quarto.yml)", function () {
  it("reads the course's own _quarto.yml as the course is laid out: home, preface, three parts, the glossary and setup appendices", function () {
    const text = fs.readFileSync(path.join(REPOSITORY_ROOT, "_quarto.yml"), "utf8");
    const config = parseBookConfig(text, REPOSITORY_ROOT);
    expect(config.title).to.equal("cnn-notebooks: Convolutional neural networks in TypeScript");
    expect(config.outputDir).to.equal(path.join(REPOSITORY_ROOT, "_book"));
    expect(config.entries.map((entry) => [entry.source, entry.kind, entry.part])).to.deep.equal([
      ["index.qmd", "home", null],
      ["notebooks/index.ipynb", "chapter", null],
      ["notebooks/01-feature-extraction.ipynb", "chapter", "CNN by hand"],
      ["notebooks/02-padding.ipynb", "chapter", "CNN by hand"],
      ["notebooks/03-max-pooling.ipynb", "chapter", "CNN by hand"],
      ["notebooks/04-flattening.ipynb", "chapter", "CNN by hand"],
      ["notebooks/05-mnist-convnet.ipynb", "chapter", "Training real models"],
      ["notebooks/06-cats-vs-dogs.ipynb", "chapter", "Training real models"],
      ["notebooks/07-data-augmentation.ipynb", "chapter", "Training real models"],
      ["notebooks/08-dropout.ipynb", "chapter", "Training real models"],
      ["notebooks/09-what-the-convnet-sees.ipynb", "chapter", "Looking inside"],
      ["glossary.qmd", "appendix", APPENDICES_TITLE],
      ["notebooks/00-setup.ipynb", "appendix", APPENDICES_TITLE],
    ]);
  });

  it("puts the home page first wherever it is listed, as Quarto does, and keeps the rest in order", function () {
    const config = parseBookConfig(
      [
        "project: { type: book, output-dir: site }",
        "book:",
        "  title: T",
        "  chapters:",
        "    - b.ipynb",
        "    - index.md",
        "    - part: P",
        "      chapters: [c.ipynb, a.ipynb]",
        "  appendices: [z.ipynb]",
      ].join("\n"),
      "/project",
    );
    expect(config.entries.map((entry) => entry.source)).to.deep.equal(["index.md", "b.ipynb", "c.ipynb", "a.ipynb", "z.ipynb"]);
    expect(config.outputDir).to.equal(path.resolve("/project", "site"));
  });

  it("refuses a book without a home page beside _quarto.yml (Quarto's rule: index.* at the root)", function () {
    const text = "project: { type: book }\nbook:\n  title: T\n  chapters: [notebooks/index.ipynb, a.ipynb]\n";
    expect(() => parseBookConfig(text, "/project")).to.throw(/home page/);
  });

  it("refuses a project that is not a book, and a book without a title", function () {
    expect(() => parseBookConfig("project: { type: website }\nbook: { title: T, chapters: [index.qmd] }\n", "/p")).to.throw(/type must be "book"/);
    expect(() => parseBookConfig("project: { type: book }\nbook: { chapters: [index.qmd] }\n", "/p")).to.throw(/title/);
  });

  it("names every missing chapter file in its error", function () {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "book-config-"));
    try {
      fs.cpSync(FIXTURE_PROJECT, copy, { recursive: true });
      fs.rmSync(path.join(copy, "notebooks", "02-beta.ipynb"));
      fs.rmSync(path.join(copy, "notebooks", "00-appendix.ipynb"));
      expect(() => readBookConfig(copy)).to.throw(/do not exist: notebooks\/02-beta\.ipynb, notebooks\/00-appendix\.ipynb/);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it("maps sources to pages the way Quarto lays out _book/", function () {
    expect(outputPathFor("index.qmd")).to.equal("index.html");
    expect(outputPathFor("notebooks/02-padding.ipynb")).to.equal("notebooks/02-padding.html");
  });
});
