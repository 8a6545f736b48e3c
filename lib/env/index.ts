/**
 * The course's environment, read once and in one place: which profile runs (smoke or full), where data is cached,
 * which local mirror (if any) replaces the download sites, and the seed every random choice starts from.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export type Profile = "smoke" | "full";

export interface CourseEnvironment {
  /** smoke: tiny data and few epochs (tests, CI); full: the real course (stored outputs, the book). */
  profile: Profile;
  /** The project's root folder (the one holding `_quarto.yml`). */
  projectRoot: string;
  /** Where downloaded datasets are cached (`data/` in the project unless CNN_DATA_DIR says otherwise). */
  dataDir: string;
  /** A local folder laid out like the download sites (`mnist/`, `fashion-mnist/`, `cats_and_dogs_small/`), or null. */
  dataMirror: string | null;
  /** Where training runs are recorded (`runs/`). */
  runsDir: string;
  /** The seed for shuffling, initialisation and augmentation. */
  seed: number;
}

const PROFILES: readonly Profile[] = ["smoke", "full"];
const DEFAULT_SEED = 42;
const ROOT_MARKER = "_quarto.yml";

/** Walk up from `start` to the folder that holds `_quarto.yml`; that is the course project. */
export function findProjectRoot(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, ROOT_MARKER))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`cnn-notebooks: no ${ROOT_MARKER} found above ${start}; is the course installed in a project folder?`);
    }
    dir = parent;
  }
}

export function parseProfile(value: string | undefined): Profile {
  if (value === undefined || value === "") return "full";
  const lowered = value.trim().toLowerCase();
  if ((PROFILES as readonly string[]).includes(lowered)) return lowered as Profile;
  throw new Error(`CNN_PROFILE must be one of ${PROFILES.join(", ")}, not "${value}"`);
}

function parseSeed(value: string | undefined): number {
  if (value === undefined || value === "") return DEFAULT_SEED;
  const seed = Number(value);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`CNN_SEED must be a non-negative integer, not "${value}"`);
  return seed;
}

/** Build the environment from variables (exposed for tests; the course uses `courseEnv()`). */
export function readEnvironment(variables: NodeJS.ProcessEnv = process.env, start?: string): CourseEnvironment {
  const projectRoot = findProjectRoot(start);
  const resolve = (p: string) => path.resolve(projectRoot, p);
  return {
    profile: parseProfile(variables.CNN_PROFILE),
    projectRoot,
    dataDir: resolve(variables.CNN_DATA_DIR || "data"),
    dataMirror: variables.CNN_DATA_MIRROR ? resolve(variables.CNN_DATA_MIRROR) : null,
    runsDir: resolve(variables.CNN_RUNS_DIR || "runs"),
    seed: parseSeed(variables.CNN_SEED),
  };
}

let cached: CourseEnvironment | null = null;

/** The environment of this process, read on first use. */
export function courseEnv(): CourseEnvironment {
  if (cached === null) cached = readEnvironment();
  return cached;
}

/** Pick the value for the active profile: `byProfile({ smoke: 1, full: 5 })`. */
export function byProfile<T>(values: Record<Profile, T>): T {
  return values[courseEnv().profile];
}
