import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { byProfile, displayPath, findProjectRoot, parseProfile, readEnvironment } from "../../lib/env";

describe("lib/env", () => {
  const projectRoot = findProjectRoot(__dirname);

  it("finds the project root by its _quarto.yml", () => {
    expect(fs.existsSync(path.join(projectRoot, "_quarto.yml"))).to.equal(true);
    expect(findProjectRoot(path.join(projectRoot, "notebooks"))).to.equal(projectRoot);
  });

  it("fails clearly outside a project", () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-env-"));
    expect(() => findProjectRoot(outside)).to.throw(/no _quarto\.yml found above/);
  });

  it("defaults to the full profile, data/ and runs/ in the project, seed 42, no mirror", () => {
    const environment = readEnvironment({}, __dirname);
    expect(environment.profile).to.equal("full");
    expect(environment.dataDir).to.equal(path.join(projectRoot, "data"));
    expect(environment.runsRoot).to.equal(path.join(projectRoot, "runs"));
    expect(environment.runsDir).to.equal(path.join(projectRoot, "runs", "full"));
    expect(environment.dataMirror).to.equal(null);
    expect(environment.seed).to.equal(42);
  });

  it("reads the profile, mirror (relative to the project root), data dir and seed from variables", () => {
    const environment = readEnvironment(
      { CNN_PROFILE: "Smoke", CNN_DATA_MIRROR: "../shared/data", CNN_DATA_DIR: "/tmp/cache", CNN_SEED: "7" },
      __dirname,
    );
    expect(environment.profile).to.equal("smoke");
    expect(environment.runsDir, "smoke runs never mix with the committed full-profile runs").to.equal(path.join(projectRoot, "runs", "smoke"));
    expect(environment.dataMirror).to.equal(path.resolve(projectRoot, "../shared/data"));
    expect(environment.dataDir).to.equal("/tmp/cache");
    expect(environment.seed).to.equal(7);
  });

  it("rejects an unknown profile or a bad seed with a message naming the variable", () => {
    expect(() => parseProfile("quick")).to.throw(/CNN_PROFILE must be one of smoke, lab, full/);
    expect(() => readEnvironment({ CNN_SEED: "-1" }, __dirname)).to.throw(/CNN_SEED/);
  });

  it("byProfile gives lab its own value, or the full one when a chapter has none", () => {
    expect(byProfile({ smoke: 1, lab: 2, full: 3 }, "lab")).to.equal(2);
    expect(byProfile({ smoke: 1, full: 3 }, "lab")).to.equal(3);
    expect(byProfile({ smoke: 1, full: 3 }, "smoke")).to.equal(1);
  });

  it("displayPath shows paths relative to the project, a sibling mirror as ../, anything else by its name only", () => {
    expect(displayPath(path.join(projectRoot, "data"), projectRoot)).to.equal("data");
    expect(displayPath(path.join(projectRoot, "runs", "full"), projectRoot)).to.equal("runs/full");
    expect(displayPath(path.resolve(projectRoot, "..", "shared", "data"), projectRoot)).to.equal("../shared/data");
    expect(displayPath("/usr/bin/chromium", projectRoot)).to.equal("chromium");
    expect(displayPath(projectRoot, projectRoot)).to.equal(".");
  });
});

