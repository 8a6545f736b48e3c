import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { serializeNotebook, type Notebook } from "../../scripts/jupyter/nbformat";
import { EXECUTION_RECORD_KEY, notebookSourceHash, type RunProfile } from "../../scripts/jupyter/source-hash";
import { notebookFreshness } from "../../scripts/book/staleness";

function notebook(code: string, record?: { hashOf?: string; profile: RunProfile }): Notebook {
  const result: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: "markdown", id: "m", metadata: {}, source: "# Title" },
      { cell_type: "code", id: "c", metadata: {}, source: code, outputs: [], execution_count: null },
    ],
  };
  if (record) {
    const hashed = notebook(record.hashOf ?? code);
    result.metadata[EXECUTION_RECORD_KEY] = { source_hash: notebookSourceHash(hashed), profile: record.profile, executed_at: "2026-01-01T00:00:00Z" };
  }
  return result;
}

describe("book freshness (npm run book runs only stale notebooks)", function () {
  let root = "";
  const write = (name: string, content: Notebook) => {
    fs.writeFileSync(path.join(root, name), serializeNotebook(content));
    return name;
  };

  before(function () {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "book-freshness-"));
  });
  after(function () {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("counts a notebook never executed (no outputs, no hash) as stale", function () {
    expect(notebookFreshness(root, write("new.ipynb", notebook("1 + 1")), "full").staleReason).to.equal("never executed");
  });

  it("keeps a notebook whose stored hash matches its code", function () {
    const name = write("fresh.ipynb", notebook("1 + 1", { profile: "full" }));
    expect(notebookFreshness(root, name, "full").staleReason).to.equal(null);
    expect(notebookFreshness(root, name, "smoke").staleReason).to.equal(null);
  });

  it("re-runs a notebook whose code changed since its outputs were stored", function () {
    const name = write("edited.ipynb", notebook("1 + 2", { hashOf: "1 + 1", profile: "full" }));
    expect(notebookFreshness(root, name, "full").staleReason).to.equal("code changed");
  });

  it("treats smoke-profile outputs as stale for the full book only", function () {
    const name = write("smoke.ipynb", notebook("1 + 1", { profile: "smoke" }));
    expect(notebookFreshness(root, name, "full").staleReason).to.equal("smoke-profile outputs");
    expect(notebookFreshness(root, name, "smoke").staleReason).to.equal(null);
  });
});
