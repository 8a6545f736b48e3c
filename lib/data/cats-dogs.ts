/**
 * The course's cats-vs-dogs data: Chollet's `cats_and_dogs_small` split of the Kaggle "Dogs vs. Cats" training set —
 * train 2,000 / validation 1,000 / test 1,000 images, half cats, half dogs:
 *
 *   train/{cats,dogs}       cat.0–999.jpg     dog.0–999.jpg
 *   validation/{cats,dogs}  cat.1000–1499.jpg dog.1000–1499.jpg
 *   test/{cats,dogs}        cat.1500–1999.jpg dog.1500–1999.jpg
 *
 * `catsAndDogsDirs()` finds it: the local mirror (CNN_DATA_MIRROR/cats_and_dogs_small, used in place) or the copy
 * that `npm run prepare-data` made under the data folder (CNN_DATA_DIR/cats_and_dogs_small).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { CourseEnvironment, courseEnv } from "../env";

export const CATS_DOGS_FOLDER = "cats_and_dogs_small";
export type CatsDogsSplitName = "train" | "validation" | "test";

export interface CatsDogsSplit {
  name: CatsDogsSplitName;
  /** Kaggle numbers first … first + perClass − 1, for each class. */
  first: number;
  perClass: number;
}

export const CATS_DOGS_SPLITS: readonly CatsDogsSplit[] = [
  { name: "train", first: 0, perClass: 1000 },
  { name: "validation", first: 1000, perClass: 500 },
  { name: "test", first: 1500, perClass: 500 },
];

/** Class folder and the Kaggle file-name prefix of its images. Sorted, so cats = 0 and dogs = 1. */
export const CATS_DOGS_CLASSES = [
  { folder: "cats", prefix: "cat" },
  { folder: "dogs", prefix: "dog" },
] as const;

/**
 * SHA-256 of each split's manifest (see `manifestDigest`), from the checked reference copy (shared data mirror,
 * whose SOURCE.md tells where the files come from). One number stands for 2,000 / 1,000 / 1,000 file checksums.
 */
export const REFERENCE_MANIFEST_SHA256: Readonly<Record<CatsDogsSplitName, string>> = {
  train: "06cbe856fcd36f3158f6c73755fcc4b6e0f4a8b80d5f6804d6277f392240e45f",
  validation: "95e1b5d6c61a2a82b8519a3b9f2410a82fa0d43794265cc63eab6be35b1d6c4b",
  test: "3d7c4c0998f491749812760bb069a76be550a585d608c68600465b2b41f9db7a",
};

export interface CatsDogsDirs {
  base: string;
  train: string;
  validation: string;
  /** Null for Google's cats_and_dogs_filtered copy, which has no test images. */
  test: string | null;
}

/** Google's public copy: the same 2,000 training images, 1,000 other validation images (cat/dog.2000–2499), no test. */
export const GOOGLE_FILTERED_FOLDER = "cats_and_dogs_filtered";
export const GOOGLE_FILTERED_ZIP = {
  name: "cats_and_dogs_filtered.zip",
  url: "https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip",
  bytes: 68_606_236,
} as const;

/** The Kaggle file names of one split and class, e.g. cat.1000.jpg … cat.1499.jpg. */
export function splitFileNames(split: CatsDogsSplit, prefix: string): string[] {
  return Array.from({ length: split.perClass }, (_, i) => `${prefix}.${split.first + i}.jpg`);
}

function splitNamed(name: CatsDogsSplitName): CatsDogsSplit {
  return CATS_DOGS_SPLITS.find((split) => split.name === name) as CatsDogsSplit;
}

/** What is wrong with one split folder: both class folders, each with its number of .jpg files (names not checked). */
function splitProblems(base: string, split: CatsDogsSplit): string[] {
  const problems: string[] = [];
  for (const { folder } of CATS_DOGS_CLASSES) {
    const dir = path.join(base, split.name, folder);
    if (!fs.existsSync(dir)) {
      problems.push(`${split.name}/${folder}/ is missing`);
      continue;
    }
    if (!fs.statSync(dir).isDirectory()) {
      problems.push(`${split.name}/${folder} is not a folder`);
      continue;
    }
    // statSync follows symbolic links: a mirror made of links counts, a link to nothing does not.
    const isFile = (name: string) => fs.statSync(path.join(dir, name), { throwIfNoEntry: false })?.isFile() === true;
    const count = fs.readdirSync(dir).filter((name) => name.toLowerCase().endsWith(".jpg") && isFile(name)).length;
    if (count !== split.perClass) problems.push(`${split.name}/${folder}/ has ${count} images, not ${split.perClass}`);
  }
  return problems;
}

/** What is missing from a prepared folder (empty when every split asked for has its 2 × N images). */
export function missingFromLayout(base: string, splits: readonly CatsDogsSplitName[] = ["train", "validation", "test"]): string[] {
  return splits.flatMap((name) => splitProblems(base, splitNamed(name)));
}

/**
 * Where the cats-vs-dogs folders are, first found of: the mirror (used in place, no copy), the copy that
 * `npm run prepare-data` made from Kaggle's files, Google's filtered copy (no test folder). Throws with the commands
 * that make them when none is there.
 */
export function catsAndDogsDirs(env: CourseEnvironment = courseEnv()): CatsDogsDirs {
  const complete = [
    ...(env.dataMirror !== null ? [path.join(env.dataMirror, CATS_DOGS_FOLDER)] : []),
    path.join(env.dataDir, CATS_DOGS_FOLDER),
  ];
  const found = complete.find((base) => missingFromLayout(base).length === 0);
  if (found !== undefined) return { base: found, train: path.join(found, "train"), validation: path.join(found, "validation"), test: path.join(found, "test") };
  const google = path.join(env.dataDir, GOOGLE_FILTERED_FOLDER);
  if (missingFromLayout(google, ["train", "validation"]).length === 0) {
    return { base: google, train: path.join(google, "train"), validation: path.join(google, "validation"), test: null };
  }
  const looked = complete.map((base) => `  ${base}: ${missingFromLayout(base).slice(0, 2).join("; ")}`).join("\n");
  throw new Error(
    `The cats-vs-dogs images (train 2,000 / validation 1,000 / test 1,000) were not found:\n${looked}\n` +
      "Make them with one of:\n" +
      "  npm run prepare-data -- --from <Kaggle 'Dogs vs. Cats' train folder>   (cat.N.jpg, dog.N.jpg; all three splits)\n" +
      "  npm run prepare-data -- --zip <cats_and_dogs_filtered.zip>             (Google's copy: train + validation, no test)\n" +
      "  CNN_DATA_MIRROR=<folder holding cats_and_dogs_small/>                   (a checked local copy, used in place)",
  );
}

function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * One SHA-256 for a whole split: the hash of its `sha256sum`-style lines ("<hash>  <split>/<class>/<file>\n"), in
 * sorted path order. Equal digests mean the same files with the same bytes.
 */
export async function manifestDigest(base: string, split: CatsDogsSplit): Promise<string> {
  const lines: string[] = [];
  for (const { folder, prefix } of CATS_DOGS_CLASSES) {
    for (const name of splitFileNames(split, prefix)) {
      const relative = `${split.name}/${folder}/${name}`;
      lines.push(`${sha256(await fs.promises.readFile(path.join(base, relative)))}  ${relative}\n`);
    }
  }
  return sha256(lines.sort().join(""));
}

export interface SplitCheck {
  split: CatsDogsSplitName;
  digest: string;
  matchesReference: boolean;
}

/** Hash every file of each split and compare with the reference copy. */
export async function verifyCatsAndDogs(base: string, splits: readonly CatsDogsSplit[] = CATS_DOGS_SPLITS): Promise<SplitCheck[]> {
  const checks: SplitCheck[] = [];
  for (const split of splits) {
    const digest = await manifestDigest(base, split);
    checks.push({ split: split.name, digest, matchesReference: digest === REFERENCE_MANIFEST_SHA256[split.name] });
  }
  return checks;
}

/**
 * Copy the course's 4,000 images out of the Kaggle "Dogs vs. Cats" `train` folder (25,000 files named cat.N.jpg /
 * dog.N.jpg) into `destination`/{train,validation,test}/{cats,dogs}, as Chollet's book does. Existing identical
 * files are kept; returns how many files were copied.
 */
export async function prepareFromKaggle(kaggleTrainDir: string, destination: string): Promise<number> {
  const missing: string[] = [];
  for (const split of CATS_DOGS_SPLITS) {
    for (const { prefix } of CATS_DOGS_CLASSES) {
      for (const name of splitFileNames(split, prefix)) {
        if (!fs.existsSync(path.join(kaggleTrainDir, name))) missing.push(name);
      }
    }
  }
  if (missing.length > 0) {
    throw new Error(
      `${kaggleTrainDir} is not the Kaggle "Dogs vs. Cats" train folder: ${missing.length} of the 4,000 needed files ` +
        `are missing (e.g. ${missing.slice(0, 3).join(", ")}). It should hold cat.0.jpg … cat.12499.jpg and dog.0.jpg … dog.12499.jpg.`,
    );
  }
  let copied = 0;
  for (const split of CATS_DOGS_SPLITS) {
    for (const { folder, prefix } of CATS_DOGS_CLASSES) {
      const target = path.join(destination, split.name, folder);
      await fs.promises.mkdir(target, { recursive: true });
      for (const name of splitFileNames(split, prefix)) {
        const from = path.join(kaggleTrainDir, name);
        const to = path.join(target, name);
        const same = fs.existsSync(to) && fs.statSync(to).size === fs.statSync(from).size;
        if (!same) {
          await fs.promises.copyFile(from, to);
          copied += 1;
        }
      }
    }
  }
  return copied;
}

/**
 * Unpack Google's cats_and_dogs_filtered.zip (train + validation folders) into `dataDir`/cats_and_dogs_filtered
 * with the system's `unzip`, and return that folder. Its 2,000 training images are the book's; check them with
 * `verifyCatsAndDogs(folder, [train])`.
 */
export function extractFilteredZip(zipFile: string, dataDir: string): string {
  if (!fs.existsSync(zipFile)) throw new Error(`No such file: ${zipFile}`);
  fs.mkdirSync(dataDir, { recursive: true });
  const wanted = ["train", "validation"].map((split) => `${GOOGLE_FILTERED_FOLDER}/${split}/*`);
  const result = spawnSync("unzip", ["-q", "-o", zipFile, ...wanted, "-d", dataDir], { encoding: "utf8" });
  if (result.error !== undefined) {
    throw new Error(`Could not run unzip (${result.error.message}); install it (apt-get install unzip) or unpack ${zipFile} by hand into ${dataDir}`);
  }
  if (result.status !== 0) throw new Error(`unzip failed on ${zipFile} (exit ${result.status}): ${result.stderr.trim()}`);
  return path.join(dataDir, GOOGLE_FILTERED_FOLDER);
}
