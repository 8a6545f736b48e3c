import { expect } from "chai";
import { cleanErrorText, errorOutputFromStderr } from "../../scripts/jupyter/error-text";

describe("runner: error text from tslab's stderr", () => {
  it("names a TypeScript diagnostic with its line and column", () => {
    const output = errorOutputFromStderr("1:19 - Type 'string' is not assignable to type 'number'.\n");
    expect(output).to.deep.equal({
      output_type: "error",
      ename: "TypeScriptError",
      evalue: "line 1, column 19: Type 'string' is not assignable to type 'number'.",
      traceback: ["1:19 - Type 'string' is not assignable to type 'number'."],
    });
  });

  it("finds the error class and message of a thrown error below tslab's source excerpt", () => {
    const stderr = 'evalmachine.<anonymous>:2\nthrow new RangeError("too big");\n^\n\nRangeError: too big\n    at evalmachine.<anonymous>:2:7\n';
    const output = errorOutputFromStderr(stderr);
    expect([output.ename, output.evalue]).to.deep.equal(["RangeError", "too big"]);
    expect(output.traceback).to.include("RangeError: too big");
  });

  it("falls back to the first line for a thrown non-error value", () => {
    expect(errorOutputFromStderr("just a string\n").evalue).to.equal("just a string");
  });

  it("drops tslab's and node:vm's own stack frames but keeps the cell's", () => {
    const text = [
      "Error: boom",
      "    at evalmachine.<anonymous>:5:7",
      "    at sigintHandlersWrap (node:vm:280:12)",
      "    at Object.execute (/p/node_modules/tslab/dist/executor.js:160:38)",
    ].join("\n");
    expect(cleanErrorText(text)).to.equal("Error: boom\n    at evalmachine.<anonymous>:5:7");
  });
});
