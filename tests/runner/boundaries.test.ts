import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";

const SCRIPTS = path.resolve(__dirname, "..", "..", "scripts");
const RUNNER_FILES = [
  path.join(SCRIPTS, "run-notebooks.ts"),
  path.join(SCRIPTS, "kernel.ts"),
  path.join(SCRIPTS, "notebook.ts"),
  ...fs.readdirSync(path.join(SCRIPTS, "jupyter")).filter((f) => f.endsWith(".ts")).map((f) => path.join(SCRIPTS, "jupyter", f)),
];
/** The runner only speaks Jupyter: it must run any tslab notebook, so it never loads the course's lib or tfjs. */
const FORBIDDEN = /(?:from|require\(|import\()\s*["'](?:cnn-notebooks|@tensorflow\/[^"']*|(?:\.\.\/)+lib(?:\/[^"']*)?)["']/;

describe("runner: forbidden arrows", () => {
  for (const file of RUNNER_FILES) {
    it(`${path.relative(SCRIPTS, file)} imports neither lib/ nor tfjs`, () => {
      const imports = fs.readFileSync(file, "utf8").split("\n").filter((line) => FORBIDDEN.test(line));
      expect(imports).to.deep.equal([]);
    });
  }

  it("would notice such an import", () => {
    expect(FORBIDDEN.test('import { tf } from "cnn-notebooks";')).to.equal(true);
    expect(FORBIDDEN.test('import * as tf from "@tensorflow/tfjs";')).to.equal(true);
    expect(FORBIDDEN.test('import { courseEnv } from "../../lib/env";')).to.equal(true);
    expect(FORBIDDEN.test('import { signFrames } from "./signing";')).to.equal(false);
  });
});
