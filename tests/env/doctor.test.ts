import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readEnvironment } from "../../lib/env";
import { checkCatsAndDogs } from "../../lib/env/doctor";

describe("lib/env: the doctor's cats-vs-dogs check", () => {
  it("never claims the images download by themselves: without them it names npm run prepare-data", () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "doctor-"));
    try {
      const check = checkCatsAndDogs(readEnvironment({ CNN_DATA_DIR: empty }, __dirname));
      expect(check.status).to.equal("warn");
      expect(check.detail).to.match(/do not download by themselves/);
      expect(check.fix).to.match(/npm run prepare-data -- --from/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it("reports the prepared folders relative to the project when they are there", function () {
    const mirror = process.env.CNN_DATA_MIRROR;
    if (!mirror || !fs.existsSync(path.resolve(__dirname, "../..", mirror, "cats_and_dogs_small"))) this.skip();
    const check = checkCatsAndDogs(readEnvironment({ CNN_DATA_MIRROR: mirror }, __dirname));
    expect(check.status).to.equal("ok");
    expect(path.isAbsolute(check.detail)).to.equal(false);
    expect(check.detail).to.match(/cats_and_dogs_small$/);
  });
});
