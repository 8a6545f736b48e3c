/**
 * Every notebooks/*.ipynb, executed in the smoke profile on a fresh tslab kernel, one test per notebook, one notebook
 * at a time (the machine has 2 cores). Executed copies go to a temporary folder: the stored notebooks, which carry
 * full-profile outputs, are never touched. Training runs are recorded in a temporary runs folder.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { executeNotebook } from "../scripts/jupyter/execute-notebook";

const PROJECT_ROOT = path.resolve(__dirname, "..");
const NOTEBOOKS_DIR = path.join(PROJECT_ROOT, "notebooks");
const DEFAULT_DATA_MIRROR = path.resolve(PROJECT_ROOT, "..", "shared", "data");
const NOTEBOOK_TIMEOUT_MS = 10 * 60 * 1000;
const CELL_TIMEOUT_SECONDS = 5 * 60;

const notebooks = fs.existsSync(NOTEBOOKS_DIR)
  ? fs.readdirSync(NOTEBOOKS_DIR).filter((file) => file.endsWith(".ipynb")).sort()
  : [];

describe("notebooks: every notebook runs in the smoke profile", function () {
  this.timeout(NOTEBOOK_TIMEOUT_MS);
  let scratch: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "notebooks-smoke-"));
    env = { ...process.env, CNN_PROFILE: "smoke", CNN_RUNS_DIR: path.join(scratch, "runs") };
    if (!env.CNN_DATA_MIRROR && fs.existsSync(DEFAULT_DATA_MIRROR)) env.CNN_DATA_MIRROR = DEFAULT_DATA_MIRROR;
  });

  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it("finds the course's notebooks", () => {
    expect(notebooks, `no .ipynb in ${NOTEBOOKS_DIR}`).to.not.be.empty;
  });

  for (const name of notebooks) {
    it(name, async () => {
      const stored = fs.readFileSync(path.join(NOTEBOOKS_DIR, name));
      const result = await executeNotebook(path.join(NOTEBOOKS_DIR, name), {
        profile: "smoke",
        env,
        cellTimeoutSeconds: CELL_TIMEOUT_SECONDS,
        outputPath: path.join(scratch, "executed", name),
      });
      expect(result.ok, result.message).to.equal(true);
      expect(fs.readFileSync(path.join(NOTEBOOKS_DIR, name)).equals(stored), `${name} was modified`).to.equal(true);
    });
  }
});
