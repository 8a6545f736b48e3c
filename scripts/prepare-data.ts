/**
 * Prepare (or check) the cats-vs-dogs images of chapters 6–8.
 *
 *   npm run prepare-data                          where the images are, and are they the reference files?
 *   npm run prepare-data -- --from <dir>          copy the 4,000 images out of Kaggle's "Dogs vs. Cats" train folder
 *                                                 (cat.N.jpg, dog.N.jpg) into data/cats_and_dogs_small: train 0–999,
 *                                                 validation 1000–1499, test 1500–1999 per class, as the book does
 *   npm run prepare-data -- --zip <file>          unpack Google's cats_and_dogs_filtered.zip into data/ (train +
 *                                                 validation; it has NO test images, so chapter 8's test evaluation
 *                                                 needs the Kaggle route or a mirror)
 *   npm run prepare-data -- --download --sha256 <hex>
 *                                                 fetch that zip first, checked against the SHA-256 you give
 *
 * With CNN_DATA_MIRROR set (CI, this project's machines), nothing needs preparing: the mirror is used in place.
 */
import * as path from "node:path";
import { courseEnv } from "../lib/env";
import { ensureDatasetFile } from "../lib/data/download";
import {
  CATS_DOGS_FOLDER,
  CATS_DOGS_SPLITS,
  catsAndDogsDirs,
  extractFilteredZip,
  GOOGLE_FILTERED_FOLDER,
  GOOGLE_FILTERED_ZIP,
  prepareFromKaggle,
  verifyCatsAndDogs,
  type CatsDogsSplit,
} from "../lib/data/cats-dogs";

const USAGE = `usage: npm run prepare-data -- [--from <Kaggle train folder> | --zip <cats_and_dogs_filtered.zip> | --download --sha256 <hex>]`;

function argument(args: string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  if (index === -1) return undefined;
  const value = args[index + 1];
  if (value === undefined || value.startsWith("--")) throw new Error(`${flag} needs a value\n${USAGE}`);
  return value;
}

/** Hash every file and say, split by split, whether it matches the reference copy. Returns true if all match. */
async function report(base: string, splits: readonly CatsDogsSplit[]): Promise<boolean> {
  let allMatch = true;
  for (const check of await verifyCatsAndDogs(base, splits)) {
    const verdict = check.matchesReference ? "matches the reference files" : "DIFFERS from the reference files";
    console.log(`  ${check.split.padEnd(10)} manifest sha256 ${check.digest.slice(0, 16)}…  ${verdict}`);
    allMatch &&= check.matchesReference;
  }
  return allMatch;
}

const trainOnly = CATS_DOGS_SPLITS.filter((split) => split.name === "train");

async function fromZip(zipFile: string): Promise<void> {
  const env = courseEnv();
  console.log(`Unpacking ${zipFile} into ${path.join(env.dataDir, GOOGLE_FILTERED_FOLDER)} …`);
  const base = extractFilteredZip(zipFile, env.dataDir);
  const ok = await report(base, trainOnly);
  console.log(
    "  validation: Google's own 1,000 images (cat/dog.2000–2499), not the book's 1000–1499; no reference to check against.\n" +
      "  test:       none in this zip — chapter 8's test-set evaluation is skipped; use --from <Kaggle folder> for it.",
  );
  if (!ok) process.exitCode = 1;
}

async function main(args: string[]): Promise<void> {
  const env = courseEnv();
  const from = argument(args, "--from");
  const zip = argument(args, "--zip");
  if (from !== undefined) {
    const destination = path.join(env.dataDir, CATS_DOGS_FOLDER);
    console.log(`Copying the course's 4,000 images from ${from} into ${destination} …`);
    const copied = await prepareFromKaggle(path.resolve(from), destination);
    console.log(`  ${copied} file(s) copied (the rest were already there).`);
    if (!(await report(destination, CATS_DOGS_SPLITS))) {
      console.log("  Some files differ from the course's reference copy; results may differ a little from the stored outputs.");
    }
    return;
  }
  if (zip !== undefined) return fromZip(path.resolve(zip));
  if (args.includes("--download")) {
    const sha256 = argument(args, "--sha256");
    if (sha256 === undefined) {
      throw new Error(
        `--download needs --sha256 <hex>: the course does not pin the SHA-256 of ${GOOGLE_FILTERED_ZIP.url}\n` +
          "(it was written on machines without access to that site). After unpacking, the 2,000 training images are\n" +
          "checked file by file against the course's reference manifest either way.",
      );
    }
    const file = await ensureDatasetFile(
      { dataset: GOOGLE_FILTERED_FOLDER, name: GOOGLE_FILTERED_ZIP.name, url: GOOGLE_FILTERED_ZIP.url, bytes: GOOGLE_FILTERED_ZIP.bytes, sha256 },
      { mirror: null },
    );
    return fromZip(file);
  }
  if (args.length > 0 && !args.includes("--check")) throw new Error(`unknown arguments: ${args.join(" ")}\n${USAGE}`);
  const dirs = catsAndDogsDirs(env);
  console.log(`Cats vs dogs images: ${dirs.base}${env.dataMirror !== null && dirs.base.startsWith(env.dataMirror) ? " (mirror, used in place)" : ""}`);
  const splits = dirs.test === null ? trainOnly : CATS_DOGS_SPLITS;
  if (!(await report(dirs.base, splits))) process.exitCode = 1;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
