/**
 * The run ledger: every training run is one JSON file, `runs/<notebook>/<timestamp>-<model>.json`, written when the
 * run starts and rewritten (by that run only) after each epoch. A new run never replaces an old file: names are
 * created exclusively and get a `-2`, `-3`… suffix on a clash. Reading tolerates damage: a file that does not parse
 * is reported by name and skipped.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { courseEnv } from "../env";

export const LEDGER_FORMAT_VERSION = 1;
export type RunStatus = "running" | "complete" | "interrupted";
const RUN_STATUSES: readonly RunStatus[] = ["running", "complete", "interrupted"];
/** Folder names the ledger itself uses under runsDir, never notebooks. */
const CHECKPOINTS_FOLDER = "checkpoints";

export interface EpochRecord {
  /** 1-based, counted over the whole training (a resumed run continues the numbering). */
  epoch: number;
  metrics: Record<string, number>;
  /** Wall time of this epoch in seconds. */
  seconds: number;
  imagesPerSecond: number;
}

export interface RunBackend {
  name: string;
  path: string;
  threads: number;
  versions: Record<string, string>;
}

export interface RunRecord {
  format: number;
  notebook: string;
  /** The run key (`runName`) checkpoints are kept under, or null for a run without checkpoints. */
  runName: string | null;
  model: { name: string; parameters: number };
  /** The run's settings as a flat summary (model, optimizer, learning rate, dropout, augmentation, batch, epochs, seed…). */
  config: Record<string, unknown>;
  /** The run identity: its hash and the full description it was computed from (absent in older ledger files). */
  identity?: { hash: string; description: Record<string, unknown> };
  backend: RunBackend | null;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  /** Epochs already done before this run started (from a checkpoint), and the epoch count it trains to. */
  initialEpoch: number;
  epochs: number;
  /** The ledger file of the run this one resumed, when it resumed. */
  resumedFrom: string | null;
  history: EpochRecord[];
  /** Why the run stopped early, when it did. */
  error?: string;
}

/** A run as read back, with the file it lives in. */
export interface StoredRun {
  file: string;
  record: RunRecord;
}

export interface DamagedRun {
  file: string;
  reason: string;
}

/** A name safe as a single path segment: letters, digits, `.`, `_`, `-`. */
export function safeName(name: string): string {
  const cleaned = name.trim().replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "");
  return cleaned === "" ? "unnamed" : cleaned;
}

/** `2026-11-27T23-45-12-345Z`: sortable, and legal in file names on every system. */
export function fileTimestamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, "-");
}

function ledgerDir(notebook: string, runsDir: string): string {
  return path.join(runsDir, safeName(notebook));
}

/** Write JSON so a crash mid-write leaves the previous version, never half a file. */
export function writeJsonAtomically(file: string, value: unknown): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(temporary, file);
}

/** Record a new run: creates a new file (never an existing one) and returns its path. */
export function createRun(record: RunRecord, runsDir: string = courseEnv().runsDir, now: Date = new Date()): string {
  const dir = ledgerDir(record.notebook, runsDir);
  fs.mkdirSync(dir, { recursive: true });
  const stem = `${fileTimestamp(now)}-${safeName(record.model.name)}`;
  for (let attempt = 1; ; attempt += 1) {
    const file = path.join(dir, attempt === 1 ? `${stem}.json` : `${stem}-${attempt}.json`);
    try {
      // "wx": fail if the file exists, so two runs in the same millisecond cannot share a file.
      fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`, { flag: "wx" });
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}

/** Rewrite a run's own file (after an epoch, at the end). */
export function updateRun(file: string, record: RunRecord): void {
  writeJsonAtomically(file, record);
}

/** Why `value` is not a run record, or null when it is one. */
function recordProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null) return "not a JSON object";
  const record = value as Partial<RunRecord>;
  if (typeof record.notebook !== "string") return "no notebook name";
  if (typeof record.model !== "object" || record.model === null || typeof record.model.name !== "string") return "no model name";
  if (!RUN_STATUSES.includes(record.status as RunStatus)) return `unknown status ${JSON.stringify(record.status)}`;
  if (!Array.isArray(record.history)) return "no per-epoch history";
  for (const entry of record.history) {
    if (typeof entry !== "object" || entry === null || typeof entry.epoch !== "number" || typeof entry.metrics !== "object") {
      return "a history entry without epoch or metrics";
    }
  }
  return null;
}

/** The start time a ledger file's name carries (`<timestamp>-<model>.json`, see fileTimestamp), if it has one. */
function startedAtFromName(file: string): string | null {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z/.exec(path.basename(file));
  if (match === null) return null;
  const iso = `${match[1]}T${match[2]}:${match[3]}:${match[4]}.${match[5]}Z`;
  return Number.isNaN(Date.parse(iso)) ? null : iso;
}

/**
 * Read one run file; throws an error naming the file when it is damaged. A run without a usable `startedAt` (edited
 * by hand, written by an older course) takes the time in its file name, with a warning naming the file.
 */
export function readRun(file: string, warn: (message: string) => void = (m) => console.warn(m)): RunRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`run file ${file} is damaged: ${(error as Error).message}`);
  }
  const problem = recordProblem(parsed);
  if (problem !== null) throw new Error(`run file ${file} is damaged: ${problem}`);
  const record = parsed as RunRecord;
  if (typeof record.startedAt !== "string" || Number.isNaN(Date.parse(record.startedAt))) {
    const fromName = startedAtFromName(file);
    if (fromName === null) throw new Error(`run file ${file} is damaged: no startedAt (when the run started), and its name carries no time`);
    warn(`Warning: run file ${file} has no valid startedAt; using the time in its name (${fromName})`);
    record.startedAt = fromName;
  }
  return record;
}

export interface ListRunsOptions {
  /** Only this notebook's runs (its ledger folder); all notebooks otherwise. */
  notebook?: string;
  runsDir?: string;
  /** Where warnings about damaged files go (console.warn by default). */
  warn?: (message: string) => void;
}

/** Every readable run, oldest first, plus the damaged files (each also reported through `warn`). */
export function listRuns(options: ListRunsOptions = {}): { runs: StoredRun[]; damaged: DamagedRun[] } {
  const runsDir = options.runsDir ?? courseEnv().runsDir;
  const warn = options.warn ?? ((message: string) => console.warn(message));
  if (!fs.existsSync(runsDir)) return { runs: [], damaged: [] };
  const folders =
    options.notebook !== undefined
      ? [ledgerDir(options.notebook, runsDir)]
      : fs
          .readdirSync(runsDir, { withFileTypes: true })
          .filter((entry) => entry.isDirectory() && entry.name !== CHECKPOINTS_FOLDER)
          .map((entry) => path.join(runsDir, entry.name));
  const runs: StoredRun[] = [];
  const damaged: DamagedRun[] = [];
  for (const folder of folders) {
    if (!fs.existsSync(folder)) continue;
    for (const name of fs.readdirSync(folder).filter((n) => n.endsWith(".json")).sort()) {
      const file = path.join(folder, name);
      try {
        runs.push({ file, record: readRun(file, warn) });
      } catch (error) {
        const reason = (error as Error).message;
        damaged.push({ file, reason });
        warn(`Warning: skipping ${reason}`);
      }
    }
  }
  runs.sort((a, b) => a.record.startedAt.localeCompare(b.record.startedAt) || a.file.localeCompare(b.file));
  return { runs, damaged };
}

/** A short label for a run in legends and tables: `mnist_convnet 23:45 (complete)`. */
export function runLabel(run: StoredRun): string {
  const { record } = run;
  const time = record.startedAt.slice(11, 16);
  const name = record.runName ?? record.model.name;
  return `${name} ${record.startedAt.slice(0, 10)} ${time}${record.status === "complete" ? "" : ` (${record.status})`}`;
}
