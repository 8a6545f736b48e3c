/**
 * The runner writes notebooks byte for byte as Jupyter's own nbformat (Python) writes them, so a notebook saved
 * again by Jupyter does not change. Checked against the installed nbformat where there is one (Debian's
 * python3-nbformat, which Jupyter Notebook uses): read what we wrote, write it back, compare.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseNotebook, pythonNumber, serializeNotebook, splitLines, type Notebook } from "../../scripts/jupyter/nbformat";

const PYTHON = ["/usr/bin/python3", "python3"].find((python) => spawnSync(python, ["-c", "import nbformat"]).status === 0);
const ROUND_TRIP = "import sys, nbformat\ntext = sys.stdin.read()\nout = nbformat.writes(nbformat.reads(text, as_version=4), version=4)\nsys.stdout.write(out if out.endswith('\\n') else out + '\\n')";
const NOTEBOOKS = path.resolve(__dirname, "..", "..", "notebooks");

/** Outputs that differ between JavaScript's and Python's JSON, and between "\n" and Python's line splitting. */
function trickyNotebook(): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { display_name: "TypeScript (cnn-notebooks)", language: "typescript", name: "tslab" }, "ünï": { "𝑥": 1, z: 2, "é": 3 } },
    cells: [
      { cell_type: "markdown", id: "md", metadata: {}, source: "Max pooling (最大池化)\u2028next\r\nline\x0bvertical tab" },
      {
        cell_type: "code", id: "code", metadata: { execution: { "iopub.status.busy": "2026-12-02T05:00:00.000Z" }, cnn_notebooks: { seconds: 0.00001 } }, execution_count: 3,
        source: "console.log(1)",
        outputs: [
          { output_type: "stream", name: "stdout", text: "epoch 1\rprogress\r\nlast\x1c\x85" },
          { output_type: "display_data", metadata: { "image/png": { width: 640 } }, data: {
            "application/vnd.plotly.v1+json": { data: [{ y: [1e-7, 0.00012, 1.5e16, 1e21, -3e-5, 2, 0.1] }], layout: {} },
            "text/html": "<div>\n</div>", "image/svg+xml": "<svg>\n</svg>", "application/javascript": "a\nb", "image/png": "iVBORw0KGgo=",
            "application/x-custom": "kept\nwhole", "text/plain": "x\ny",
          } },
          { output_type: "error", ename: "Error", evalue: "tab\there \"quoted\" \\ back", traceback: ["a\u0001b", "ctrl \u001f"] },
        ],
      },
    ],
  };
}

describe("runner: notebooks written exactly as Jupyter's nbformat writes them", () => {
  it("formats numbers as Python does", () => {
    expect([1e-5, 1.5e-7, 0.0001, 0.00012, 1e16, 1e21, 2.5e22, -3e-5, 0.5, 2, 12345678901234567].map(pythonNumber)).to.deep.equal(
      ["1e-05", "1.5e-07", "0.0001", "0.00012", "10000000000000000", "1e+21", "2.5e+22", "-3e-05", "0.5", "2", "12345678901234568"],
    );
  });

  it("splits lines as Python's str.splitlines(keepends=True)", () => {
    expect(splitLines("a\r\nb\rc\nd\u2028e\x0bf\x1cg\x85h")).to.deep.equal(["a\r\n", "b\r", "c\n", "d\u2028", "e\x0b", "f\x1c", "g\x85", "h"]);
  });

  it("is left unchanged by nbformat's read and write (tricky outputs, and every stored chapter)", function () {
    this.timeout(120_000); // one Python start per notebook
    if (PYTHON === undefined) this.skip();
    const cases = [{ name: "tricky", text: serializeNotebook(trickyNotebook()) }];
    for (const name of fs.readdirSync(NOTEBOOKS).filter((n) => n.endsWith(".ipynb"))) {
      cases.push({ name, text: serializeNotebook(parseNotebook(fs.readFileSync(path.join(NOTEBOOKS, name), "utf8"), name)) });
    }
    for (const { name, text } of cases) {
      const python = spawnSync(PYTHON as string, ["-c", ROUND_TRIP], { input: text, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
      expect(python.status, python.stderr).to.equal(0);
      expect(python.stdout === text, `${name}: nbformat rewrote it`).to.equal(true);
    }
  });
});
