import { expect } from "chai";
import { createMessage } from "../../scripts/jupyter/messages";
import { outputForDisk, serializeNotebook, splitLines, type CodeCell, type Notebook } from "../../scripts/jupyter/nbformat";
import { CellOutputCollector, DisplayRegistry, collapseCarriageReturns } from "../../scripts/jupyter/outputs";

const iopub = (msgType: string, content: Record<string, unknown>) => createMessage(msgType, "s", content);
const PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

describe("runner: iopub messages to nbformat outputs", () => {
  it("merges consecutive stream chunks of the same name, but not across names", () => {
    const cell = new CellOutputCollector();
    cell.handle(iopub("stream", { name: "stdout", text: "a\n" }));
    cell.handle(iopub("stream", { name: "stdout", text: "b" }));
    cell.handle(iopub("stream", { name: "stdout", text: "c\n" }));
    cell.handle(iopub("stream", { name: "stderr", text: "warn\n" }));
    cell.handle(iopub("stream", { name: "stdout", text: "d\n" }));
    expect(cell.outputs).to.deep.equal([
      { output_type: "stream", name: "stdout", text: "a\nbc\n" },
      { output_type: "stream", name: "stderr", text: "warn\n" },
      { output_type: "stream", name: "stdout", text: "d\n" },
    ]);
  });

  it("collapses carriage-return progress to its last state, also across chunks", () => {
    expect(collapseCarriageReturns("epoch 1 10%\repoch 1 50%\repoch 1 100%\ndone\n")).to.equal("epoch 1 100%\ndone\n");
    const cell = new CellOutputCollector();
    cell.handle(iopub("stream", { name: "stdout", text: "step 1/3\r" }));
    cell.handle(iopub("stream", { name: "stdout", text: "step 2/3\r" }));
    cell.handle(iopub("stream", { name: "stdout", text: "step 3/3\n" }));
    expect(cell.outputs).to.deep.equal([{ output_type: "stream", name: "stdout", text: "step 3/3\n" }]);
  });

  it("keeps every mime type of display_data and its metadata", () => {
    const cell = new CellOutputCollector();
    const data = { "text/html": "<div id='p'></div>", "image/png": PNG_BASE64, "text/plain": "<Figure>" };
    cell.handle(iopub("display_data", { data, metadata: { "image/png": { width: 640 } }, transient: {} }));
    expect(cell.outputs).to.deep.equal([{ output_type: "display_data", data, metadata: { "image/png": { width: 640 } } }]);
    expect(cell.outputs[0]).to.not.have.property("transient");
  });

  it("maps execute_result with its execution count, and error with its traceback", () => {
    const cell = new CellOutputCollector();
    cell.handle(iopub("execute_result", { execution_count: 7, data: { "text/plain": "42" }, metadata: {} }));
    cell.handle(iopub("error", { ename: "TypeError", evalue: "x is not a function", traceback: ["TypeError: x is not a function", "    at <cell>:1"] }));
    expect(cell.outputs).to.deep.equal([
      { output_type: "execute_result", execution_count: 7, data: { "text/plain": "42" }, metadata: {} },
      { output_type: "error", ename: "TypeError", evalue: "x is not a function", traceback: ["TypeError: x is not a function", "    at <cell>:1"] },
    ]);
  });

  it("applies update_display_data to the output with that display_id, also in an earlier cell", () => {
    const displays = new DisplayRegistry();
    const first = new CellOutputCollector(displays);
    first.handle(iopub("display_data", { data: { "text/plain": "epoch 1" }, metadata: {}, transient: { display_id: "progress" } }));
    first.handle(iopub("display_data", { data: { "text/plain": "other" }, metadata: {}, transient: { display_id: "other" } }));
    const second = new CellOutputCollector(displays);
    second.handle(iopub("update_display_data", { data: { "text/plain": "epoch 5", "text/html": "<b>5</b>" }, metadata: {}, transient: { display_id: "progress" } }));
    expect(first.outputs.map((output) => (output.output_type === "display_data" ? output.data : null))).to.deep.equal([
      { "text/plain": "epoch 5", "text/html": "<b>5</b>" },
      { "text/plain": "other" },
    ]);
    expect(second.outputs).to.deep.equal([]);
  });

  it("clears outputs at once, or at the next output when clear_output waits", () => {
    const cell = new CellOutputCollector();
    cell.handle(iopub("stream", { name: "stdout", text: "old\n" }));
    cell.handle(iopub("clear_output", { wait: false }));
    expect(cell.outputs).to.deep.equal([]);
    cell.handle(iopub("stream", { name: "stdout", text: "frame 1\n" }));
    cell.handle(iopub("clear_output", { wait: true }));
    expect(cell.outputs).to.have.length(1);
    cell.handle(iopub("stream", { name: "stdout", text: "frame 2\n" }));
    expect(cell.outputs).to.deep.equal([{ output_type: "stream", name: "stdout", text: "frame 2\n" }]);
  });

  it("ignores status and execute_input messages", () => {
    const cell = new CellOutputCollector();
    expect(cell.handle(iopub("status", { execution_state: "busy" }))).to.equal(false);
    expect(cell.handle(iopub("execute_input", { code: "1", execution_count: 1 }))).to.equal(false);
    expect(cell.outputs).to.deep.equal([]);
  });
});

describe("runner: nbformat on disk", () => {
  it("splits text into lines that keep their newline", () => {
    expect(splitLines("a\nb\n")).to.deep.equal(["a\n", "b\n"]);
    expect(splitLines("a\n\nb")).to.deep.equal(["a\n", "\n", "b"]);
    expect(splitLines("")).to.deep.equal([]);
  });

  it("writes text mime data as lines, base64 images as one string, JSON data as JSON", () => {
    const output = outputForDisk({
      output_type: "display_data",
      data: { "text/html": "<p>\n</p>", "image/png": PNG_BASE64, "application/json": { a: [1, 2] }, "text/plain": "x" },
      metadata: {},
    });
    expect(output).to.deep.equal({
      output_type: "display_data",
      data: { "text/html": ["<p>\n", "</p>"], "image/png": PNG_BASE64, "application/json": { a: [1, 2] }, "text/plain": ["x"] },
      metadata: {},
    });
  });

  it("serializes like Jupyter (indent 1, sorted keys) with outputs shaped per the schema", () => {
    const cell: CodeCell = {
      cell_type: "code",
      metadata: {},
      source: "console.log(1)",
      execution_count: 1,
      outputs: [{ output_type: "stream", name: "stdout", text: "1\n2\n" }],
    };
    const notebook: Notebook = { nbformat: 4, nbformat_minor: 5, metadata: { z: 1, a: 2 }, cells: [cell] };
    const text = serializeNotebook(notebook);
    expect(text.endsWith("}\n")).to.equal(true);
    expect(text.split("\n")[1]).to.equal(' "cells": [');
    const parsed = JSON.parse(text);
    expect(Object.keys(parsed.metadata)).to.deep.equal(["a", "z"]);
    expect(parsed.cells[0].id).to.match(/^[a-zA-Z0-9-_]{1,64}$/);
    expect(Object.keys(parsed.cells[0]).sort()).to.deep.equal(["cell_type", "execution_count", "id", "metadata", "outputs", "source"]);
    expect(parsed.cells[0].outputs).to.deep.equal([{ name: "stdout", output_type: "stream", text: ["1\n", "2\n"] }]);
    expect(cell.outputs[0]).to.deep.equal({ output_type: "stream", name: "stdout", text: "1\n2\n" }, "serializing must not change the notebook in memory");
  });
});
