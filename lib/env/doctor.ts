/**
 * The environment check of the setup chapter: each check says what it found and, when something is wrong, the fix.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { catsAndDogsDirs } from "../data/cats-dogs";
import * as tf from "@tensorflow/tfjs";
import { courseEnv, displayPath, type CourseEnvironment } from "./index";
import { setupBackend } from "../backend";
import { findChromium } from "./chromium";

export type CheckStatus = "ok" | "warn" | "fail";

export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a warning or failure. */
  fix?: string;
}

const MINIMUM_NODE = [20, 19] as const;
const DATASETS = ["mnist", "fashion-mnist", "cats_and_dogs_small"];

function checkNode(): DoctorCheck {
  const [major, minor] = process.versions.node.split(".").map(Number);
  const recent = major > MINIMUM_NODE[0] || (major === MINIMUM_NODE[0] && minor >= MINIMUM_NODE[1]);
  return recent
    ? { name: "Node.js", status: "ok", detail: `v${process.versions.node}` }
    : {
        name: "Node.js",
        status: "fail",
        detail: `v${process.versions.node} is older than ${MINIMUM_NODE.join(".")}`,
        fix: `install Node.js ${MINIMUM_NODE.join(".")} or newer (nodejs.org or your package manager), then npm install again`,
      };
}

async function checkBackend(): Promise<DoctorCheck> {
  const report = await setupBackend({ quiet: true });
  const detail = report.line.replace(/^Backend: /, "");
  if (report.path === "tensorflow" || report.path === "wasm+onednn") return { name: "Backend", status: "ok", detail };
  if (report.path === "wasm") {
    return {
      name: "Backend",
      status: "warn",
      detail,
      fix: "training works but slower; for the native accelerator: apt-get install g++ libdnnl-dev, then npm install",
    };
  }
  return {
    name: "Backend",
    status: "warn",
    detail,
    fix: "the cpu backend trains convnets very slowly; unset CNN_BACKEND, or reinstall (npm ci) so wasm loads",
  };
}

/** A convolution's gradients on the chosen backend: stock wasm lacks one of them, the course's kernels add it. */
function checkTraining(): DoctorCheck {
  try {
    const gradient = tf.tidy(() => {
      const image = tf.randomNormal([1, 5, 5, 1]);
      const filter = tf.randomNormal([3, 3, 1, 2]);
      const grads = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same").sum());
      return grads([image, filter]).map((g) => g.shape.join("×"));
    });
    return { name: "Training kernels", status: "ok", detail: `convolution gradients work on ${tf.getBackend()} (${gradient.join(", ")})` };
  } catch (error) {
    return {
      name: "Training kernels",
      status: "fail",
      detail: `convolution gradients fail on ${tf.getBackend()}: ${(error as Error).message.split("\n")[0]}`,
      fix: "run npm install (it builds lib/ with the wasm training kernels), then restart the kernel",
    };
  }
}

function checkData(): DoctorCheck[] {
  const environment = courseEnv();
  const checks: DoctorCheck[] = [];
  try {
    fs.mkdirSync(environment.dataDir, { recursive: true });
    fs.accessSync(environment.dataDir, fs.constants.W_OK);
    checks.push({ name: "Data cache", status: "ok", detail: displayPath(environment.dataDir, environment.projectRoot) });
  } catch {
    checks.push({
      name: "Data cache",
      status: "fail",
      detail: `${displayPath(environment.dataDir, environment.projectRoot)} is not writable`,
      fix: "set CNN_DATA_DIR to a writable folder",
    });
  }
  if (environment.dataMirror === null) {
    checks.push({
      name: "Data source",
      status: "ok",
      detail: "MNIST and Fashion-MNIST download on first use (≈ 12 MB each), checked by SHA-256, cached",
    });
  } else {
    const present = DATASETS.filter((name) => fs.existsSync(path.join(environment.dataMirror as string, name)));
    checks.push(
      present.length > 0
        ? { name: "Data source", status: "ok", detail: `mirror ${displayPath(environment.dataMirror as string, environment.projectRoot)} (${present.join(", ")})` }
        : {
            name: "Data source",
            status: "fail",
            detail: `CNN_DATA_MIRROR=${displayPath(environment.dataMirror as string, environment.projectRoot)} holds none of ${DATASETS.join(", ")}`,
            fix: "point CNN_DATA_MIRROR at a folder with mnist/, fashion-mnist/, cats_and_dogs_small/, or unset it to download",
          },
    );
  }
  checks.push(checkCatsAndDogs(environment));
  return checks;
}

/** Chapters 6–8 need the cats-vs-dogs folders, which no checksummed download provides: say how to make them. */
export function checkCatsAndDogs(environment: CourseEnvironment): DoctorCheck {
  try {
    const dirs = catsAndDogsDirs(environment);
    const place = displayPath(dirs.base, environment.projectRoot);
    return {
      name: "Cats vs dogs (chapters 6–8)",
      status: dirs.test === null ? "warn" : "ok",
      detail: dirs.test === null ? `${place}: train and validation only (chapter 8 skips its test-set check)` : place,
      ...(dirs.test === null ? { fix: "npm run prepare-data -- --from <Kaggle Dogs vs. Cats train folder> for the book's test split" } : {}),
    };
  } catch {
    return {
      name: "Cats vs dogs (chapters 6–8)",
      status: "warn",
      detail: "not prepared: these images do not download by themselves",
      fix: "npm run prepare-data -- --from <Kaggle Dogs vs. Cats train folder> (or --zip cats_and_dogs_filtered.zip); npm run prepare-data alone says what it finds",
    };
  }
}

function checkChromium(): DoctorCheck {
  const found = findChromium();
  return found
    ? { name: "Chromium (static figure copies)", status: "ok", detail: `${displayPath(found)} found` }
    : {
        name: "Chromium (static figure copies)",
        status: "warn",
        detail: "not found: figures stay interactive, but carry no PNG copy for viewers without JavaScript",
        fix: "apt-get install chromium (or set CHROMIUM_PATH)",
      };
}

/** Run every check of the setup chapter. */
export async function runDoctor(): Promise<DoctorCheck[]> {
  const environment = courseEnv();
  return [
    checkNode(),
    { name: "Profile", status: "ok", detail: `${environment.profile} (CNN_PROFILE=smoke|lab|full)` },
    await checkBackend(),
    checkTraining(),
    ...checkData(),
    checkChromium(),
  ];
}

const MARKS: Record<CheckStatus, string> = { ok: "✔", warn: "⚠", fail: "✘" };

/** One line per check, with the fix indented under any that is not ok. */
export function formatDoctorReport(checks: readonly DoctorCheck[]): string {
  const width = Math.max(...checks.map((check) => check.name.length));
  const lines = checks.flatMap((check) => {
    const line = `${MARKS[check.status]} ${check.name.padEnd(width)}  ${check.detail}`;
    return check.fix && check.status !== "ok" ? [line, `  ${" ".repeat(width)}  fix: ${check.fix}`] : [line];
  });
  const failures = checks.filter((check) => check.status === "fail").length;
  lines.push(failures === 0 ? "All required checks passed." : `${failures} check(s) failed: see the fixes above.`);
  return lines.join("\n");
}
