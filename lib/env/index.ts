/**
 * The course's environment, read once and in one place: which profile runs (smoke, lab or full), where data is cached,
 * which local mirror (if any) replaces the download sites, and the seed every random choice starts from.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export type Profile = "smoke" | "lab" | "full";

export interface CourseEnvironment {
  /**
   * smoke: tiny data and few epochs (tests, CI); lab: every training run of chapters 6–8 in minutes, still showing
   * the phenomenon (for experiments); full: the real course (stored outputs, the book).
   */
  profile: Profile;
  /** The project's root folder (the one holding `_quarto.yml`). */
  projectRoot: string;
  /** Where downloaded datasets are cached (`data/` in the project unless CNN_DATA_DIR says otherwise). */
  dataDir: string;
  /** A local folder laid out like the download sites (`mnist/`, `fashion-mnist/`, `cats_and_dogs_small/`), or null. */
  dataMirror: string | null;
  /** The root of every profile's ledger (`runs/`, or CNN_RUNS_DIR). */
  runsRoot: string;
  /**
   * Where this profile's training runs are recorded: `runs/<profile>/`. Only `runs/full/` is committed; smoke and
   * lab runs never mix with the full-profile runs the book shows.
   */
  runsDir: string;
  /** The seed for shuffling, initialisation and augmentation. */
  seed: number;
}

const PROFILES: readonly Profile[] = ["smoke", "lab", "full"];
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
  const profile = parseProfile(variables.CNN_PROFILE);
  const runsRoot = resolve(variables.CNN_RUNS_DIR || "runs");
  return {
    profile,
    projectRoot,
    dataDir: resolve(variables.CNN_DATA_DIR || "data"),
    dataMirror: variables.CNN_DATA_MIRROR ? resolve(variables.CNN_DATA_MIRROR) : null,
    runsRoot,
    runsDir: path.join(runsRoot, profile),
    seed: parseSeed(variables.CNN_SEED),
  };
}

let cached: CourseEnvironment | null = null;

/** The environment of this process, read on first use. */
export function courseEnv(): CourseEnvironment {
  if (cached === null) cached = readEnvironment();
  return cached;
}

/** Values per profile; `lab` may be left out, and then takes the `full` value (chapters without long training). */
export type ProfileValues<T> = { smoke: T; full: T; lab?: T };

/** Pick the value for the active profile: `byProfile({ smoke: 1, lab: 3, full: 5 })`. */
export function byProfile<T>(values: ProfileValues<T>, profile: Profile = courseEnv().profile): T {
  if (profile === "lab") return "lab" in values ? (values.lab as T) : values.full;
  return values[profile];
}

/**
 * A path as a reader of the book should see it: relative to the project (`data`, `runs/full`, `../shared/data` for a
 * mirror beside it). A path elsewhere on the machine shows only its last name: it would mean nothing to a reader and
 * would leak the machine the book was run on.
 */
export function displayPath(file: string, projectRoot: string = courseEnv().projectRoot): string {
  const relative = path.relative(projectRoot, path.resolve(projectRoot, file));
  if (relative === "") return ".";
  const climbs = relative.split(path.sep).filter((part) => part === "..").length;
  return climbs <= 1 && !path.isAbsolute(relative) ? relative.split(path.sep).join("/") : path.basename(file);
}

