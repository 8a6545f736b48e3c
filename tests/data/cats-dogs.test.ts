/**
 * Finding and preparing the cats-vs-dogs split: mirror in place, a Kaggle-prepared copy, Google's copy without a test
 * folder, the error that says how to make the data, and the checksum manifest against the shared reference copy.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { courseEnv, type CourseEnvironment } from "../../lib/env";
import {
  CATS_DOGS_FOLDER,
  CATS_DOGS_SPLITS,
  catsAndDogsDirs,
  GOOGLE_FILTERED_FOLDER,
  prepareFromKaggle,
  verifyCatsAndDogs,
} from "../../lib/data/cats-dogs";

/** A Kaggle-style train folder with tiny stand-in files cat.0.jpg … cat.1999.jpg, dog.0.jpg … dog.1999.jpg. */
function fakeKaggleFolder(root: string): string {
  const dir = path.join(root, "kaggle-train");
  fs.mkdirSync(dir, { recursive: true });
  for (const prefix of ["cat", "dog"]) {
    for (let i = 0; i < 2000; i++) fs.writeFileSync(path.join(dir, `${prefix}.${i}.jpg`), `${prefix} ${i}`);
  }
  return dir;
}

function environment(root: string, dataMirror: string | null): CourseEnvironment {
  return { ...courseEnv(), dataDir: path.join(root, "data"), dataMirror };
}

describe("data/cats-dogs", () => {
  let root = "";
  let shared = "";
  let kaggle = "";
  before(() => {
    shared = fs.mkdtempSync(path.join(os.tmpdir(), "cats-dogs-kaggle-"));
    kaggle = fakeKaggleFolder(shared);
  });
  after(() => fs.rmSync(shared, { recursive: true, force: true }));
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "cats-dogs-test-"));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("copies the book's split out of a Kaggle folder and finds it in the data folder", async () => {
    const destination = path.join(root, "data", CATS_DOGS_FOLDER);
    expect(await prepareFromKaggle(kaggle, destination)).to.equal(4000);
    expect(await prepareFromKaggle(kaggle, destination)).to.equal(0); // already there
    const dirs = catsAndDogsDirs(environment(root, null));
    expect(dirs.train).to.equal(path.join(destination, "train"));
    expect(fs.readFileSync(path.join(dirs.validation, "dogs", "dog.1000.jpg"), "utf8")).to.equal("dog 1000");
    expect(fs.readFileSync(path.join(dirs.test as string, "cats", "cat.1999.jpg"), "utf8")).to.equal("cat 1999");
    expect(fs.existsSync(path.join(dirs.train, "cats", "cat.1000.jpg"))).to.equal(false);
    const checks = await verifyCatsAndDogs(destination);
    expect(checks.map((check) => check.matchesReference)).to.deep.equal([false, false, false]); // stand-ins, not photos
  });

  it("says which files a folder that is not Kaggle's train folder lacks", async () => {
    const incomplete = path.join(root, "incomplete");
    fs.mkdirSync(incomplete);
    for (const name of fs.readdirSync(kaggle)) if (name !== "dog.1700.jpg") fs.linkSync(path.join(kaggle, name), path.join(incomplete, name));
    let error: Error | null = null;
    await prepareFromKaggle(incomplete, path.join(root, "out")).catch((e: Error) => (error = e));
    expect(String(error)).to.contain("1 of the 4,000 needed files").and.to.contain("dog.1700.jpg");
  });

  it("uses a mirror in place, falls back to Google's copy without test folder, and explains how to get the data", async () => {
    const mirror = path.join(root, "mirror");
    await prepareFromKaggle(kaggle, path.join(mirror, CATS_DOGS_FOLDER));
    expect(catsAndDogsDirs(environment(root, mirror)).base).to.equal(path.join(mirror, CATS_DOGS_FOLDER));

    let error: Error | null = null;
    try {
      catsAndDogsDirs(environment(root, null));
    } catch (e) {
      error = e as Error;
    }
    expect(String(error)).to.contain("npm run prepare-data -- --from");

    const google = path.join(root, "data", GOOGLE_FILTERED_FOLDER);
    fs.mkdirSync(path.dirname(google), { recursive: true });
    fs.renameSync(path.join(mirror, CATS_DOGS_FOLDER), google);
    fs.rmSync(path.join(google, "test"), { recursive: true });
    const dirs = catsAndDogsDirs(environment(root, null));
    expect(dirs.base).to.equal(google);
    expect(dirs.test).to.equal(null);
  });

  it("matches the reference manifest on the shared copy, split by split", async function () {
    const mirror = courseEnv().dataMirror;
    if (mirror === null || !fs.existsSync(path.join(mirror, CATS_DOGS_FOLDER))) this.skip();
    const checks = await verifyCatsAndDogs(path.join(mirror as string, CATS_DOGS_FOLDER), CATS_DOGS_SPLITS);
    expect(checks.map((check) => [check.split, check.matchesReference])).to.deep.equal([
      ["train", true],
      ["validation", true],
      ["test", true],
    ]);
  });
});
