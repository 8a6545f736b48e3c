import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { serializeNotebook, type Notebook } from "../../scripts/jupyter/nbformat";
import { isNotebookStale, notebookSourceHash } from "../../scripts/jupyter/source-hash";

function notebookWith(code: string[], markdown = "# Title"): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: "markdown", metadata: {}, source: markdown },
      ...code.map((source) => ({ cell_type: "code" as const, metadata: {}, source, outputs: [], execution_count: null })),
    ],
  };
}

describe("runner: source hash (which notebooks are stale)", () => {
  it("is a SHA-256 that changes with the code and with cell boundaries, not with prose", () => {
    const base = notebookSourceHash(notebookWith(["const a = 1;", "a"]));
    expect(base).to.match(/^[0-9a-f]{64}$/);
    expect(notebookSourceHash(notebookWith(["const a = 1;", "a"], "# Other prose"))).to.equal(base);
    expect(notebookSourceHash(notebookWith(["const a = 2;", "a"]))).to.not.equal(base);
    expect(notebookSourceHash(notebookWith(["const a = 1;a"]))).to.not.equal(base);
  });

  it("treats a source given as lines like the same source given as one string", () => {
    const lines = notebookWith([]);
    lines.cells.push({ cell_type: "code", metadata: {}, source: ["const a = 1;\n", "a"], outputs: [], execution_count: null });
    expect(notebookSourceHash(lines)).to.equal(notebookSourceHash(notebookWith(["const a = 1;\na"])));
  });

  it("calls a notebook stale until its record matches the code and the profile", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "source-hash-"));
    try {
      const file = path.join(dir, "n.ipynb");
      const notebook = notebookWith(["1 + 1"]);
      fs.writeFileSync(file, serializeNotebook(notebook));
      expect(isNotebookStale(file)).to.equal(true);
      notebook.metadata.cnn_notebooks = { source_hash: notebookSourceHash(notebook), profile: "full", executed_at: "2026-01-01T00:00:00Z" };
      fs.writeFileSync(file, serializeNotebook(notebook));
      expect(isNotebookStale(file)).to.equal(false);
      expect(isNotebookStale(file, "full")).to.equal(false);
      expect(isNotebookStale(file, "smoke")).to.equal(true);
      (notebook.cells[1] as { source: string }).source = "2 + 2";
      fs.writeFileSync(file, serializeNotebook(notebook));
      expect(isNotebookStale(file, "full")).to.equal(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
