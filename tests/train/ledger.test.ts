import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createRun, listRuns, readRun, updateRun, type RunRecord } from "../../lib/train/ledger";

function sampleRun(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    format: 1,
    notebook: "05-mnist-convnet",
    runName: "convnet",
    model: { name: "mnist_convnet", parameters: 93322 },
    config: { epochs: 5, batchSize: 64 },
    backend: { name: "cpu", path: "cpu", threads: 1, versions: { tfjs: "4.22.0" } },
    status: "running",
    startedAt: "2026-11-27T23:00:00.000Z",
    endedAt: null,
    initialEpoch: 0,
    epochs: 5,
    resumedFrom: null,
    history: [],
    ...overrides,
  };
}

describe("lib/train: the run ledger", () => {
  let runsDir: string;
  beforeEach(() => {
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "ledger-"));
  });
  afterEach(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it("files a run under runs/<notebook>/<timestamp>-<model>.json", () => {
    const file = createRun(sampleRun(), runsDir, new Date("2026-11-27T23:45:12.345Z"));
    expect(path.relative(runsDir, file)).to.equal(path.join("05-mnist-convnet", "2026-11-27T23-45-12-345Z-mnist_convnet.json"));
    expect(readRun(file).model.parameters).to.equal(93322);
  });

  it("appends a second run made at the same instant instead of overwriting the first", () => {
    const when = new Date("2026-11-27T23:45:12.345Z");
    const first = createRun(sampleRun({ config: { which: "first" } }), runsDir, when);
    const second = createRun(sampleRun({ config: { which: "second" } }), runsDir, when);
    expect(second).to.not.equal(first);
    expect(readRun(first).config.which).to.equal("first");
    expect(readRun(second).config.which).to.equal("second");
    expect(listRuns({ runsDir, warn: () => undefined }).runs).to.have.length(2);
  });

  it("updates a run's own file with its epochs and final status", () => {
    const record = sampleRun();
    const file = createRun(record, runsDir);
    record.history.push({ epoch: 1, metrics: { loss: 0.2, accuracy: 0.94 }, seconds: 12.5, imagesPerSecond: 4800 });
    record.status = "complete";
    updateRun(file, record);
    const back = readRun(file);
    expect(back.status).to.equal("complete");
    expect(back.history[0].metrics.accuracy).to.equal(0.94);
    expect(fs.readdirSync(path.dirname(file))).to.deep.equal([path.basename(file)]); // no temporary left behind
  });

  it("reports a damaged run file by name and still reads the good ones", () => {
    createRun(sampleRun(), runsDir);
    const folder = path.join(runsDir, "05-mnist-convnet");
    const truncated = path.join(folder, "2026-01-01T00-00-00-000Z-broken.json");
    fs.writeFileSync(truncated, '{"notebook": "05-mnist-convnet", "history": [');
    const wrongShape = path.join(folder, "2026-01-02T00-00-00-000Z-odd.json");
    fs.writeFileSync(wrongShape, JSON.stringify({ notebook: "05", model: { name: "m" }, status: "paused", history: [] }));
    const warnings: string[] = [];
    const { runs, damaged } = listRuns({ runsDir, warn: (m) => warnings.push(m) });
    expect(runs).to.have.length(1);
    expect(damaged.map((d) => d.file)).to.have.members([truncated, wrongShape]);
    expect(warnings.join("\n")).to.include(truncated).and.include(wrongShape).and.include('unknown status "paused"');
  });

  it("lists one notebook's runs only when asked, and ignores the checkpoints folder", () => {
    createRun(sampleRun(), runsDir);
    createRun(sampleRun({ notebook: "06-cats-vs-dogs", model: { name: "cats_dogs", parameters: 1 } }), runsDir);
    fs.mkdirSync(path.join(runsDir, "checkpoints", "x"), { recursive: true });
    fs.writeFileSync(path.join(runsDir, "checkpoints", "x", "checkpoint.json"), "{}");
    expect(listRuns({ runsDir, warn: () => undefined }).runs).to.have.length(2);
    const only = listRuns({ runsDir, notebook: "06-cats-vs-dogs", warn: () => undefined }).runs;
    expect(only.map((r) => r.record.model.name)).to.deep.equal(["cats_dogs"]);
  });
});
