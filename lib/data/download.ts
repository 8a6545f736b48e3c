/**
 * Get a dataset file, checked against its SHA-256, at most once:
 *   - with a mirror (CNN_DATA_MIRROR), `<mirror>/<dataset>/<file>` is used in place: no copy, no network; its hash
 *     is checked once per process (remembered by size and mtime);
 *   - otherwise `<dataDir>/<dataset>/<file>` is the cache; a cached file is used as it is;
 *   - otherwise it is downloaded into `<file>.part` and renamed only once its hash matches, so a half-written file
 *     never passes for a good one. An interrupted transfer resumes with an HTTP Range request (or restarts when the
 *     server ignores ranges), a few times, before giving up with an error saying how far it got.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import { courseEnv } from "../env";
import { openLiveLine, type LiveLineTarget } from "../train/live-line";
import type { RemoteFile } from "./checksums";

/** Connection attempts per download (the first plus resumptions after an interruption). */
const MAX_ATTEMPTS = 4;
const MAX_REDIRECTS = 5;
/** No byte for this long means the connection is dead. */
const IDLE_TIMEOUT_MS = 30_000;
const REDRAW_INTERVAL_MS = 250;
const PART_SUFFIX = ".part";
const MEGABYTE = 1024 * 1024;
/** Error codes that mean "no route to the server", answered with advice about the mirror. */
const OFFLINE_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ENETUNREACH", "EHOSTUNREACH", "ETIMEDOUT", "ECONNRESET"]);

export interface DatasetFileRequest extends RemoteFile {
  /** The dataset's folder (`mnist`, `fashion-mnist`): in the cache and the mirror. */
  dataset: string;
  url: string;
}

export interface EnsureFileOptions {
  dataDir?: string;
  /** A mirror folder (default: CNN_DATA_MIRROR); null disables it. */
  mirror?: string | null;
  /** Show download progress (default true), or force where. */
  progress?: boolean | LiveLineTarget;
  log?: (message: string) => void;
}

/** SHA-256 of a file, streamed (hex). */
export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash("sha256");
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Files whose hash already matched in this process, by path → `size:mtime`. */
const verified = new Map<string, string>();

function fileStamp(file: string): string {
  const stat = fs.statSync(file);
  return `${stat.size}:${stat.mtimeMs}`;
}

/** Check `file` against its expected hash, once per process while it stays unchanged. */
async function verifyOnce(file: string, expected: string): Promise<{ ok: true } | { ok: false; actual: string }> {
  const stamp = fileStamp(file);
  if (verified.get(file) === stamp) return { ok: true };
  const actual = await sha256File(file);
  if (actual !== expected) return { ok: false, actual };
  verified.set(file, stamp);
  return { ok: true };
}

/** Forget which files were verified (tests). */
export function forgetVerifiedFiles(): void {
  verified.clear();
}

function checksumMessage(file: string, where: string, expected: string, actual: string): string {
  return `${file}: checksum mismatch for ${where}\n  expected sha256 ${expected}\n  actual   sha256 ${actual}`;
}

/** The local path of a verified copy of the file, downloading it if needed. */
export async function ensureDatasetFile(request: DatasetFileRequest, options: EnsureFileOptions = {}): Promise<string> {
  const env = courseEnv();
  const mirror = options.mirror === undefined ? env.dataMirror : options.mirror;
  const log = options.log ?? ((message: string) => console.log(message));

  if (mirror !== null) {
    const file = path.join(mirror, request.dataset, request.name);
    if (!fs.existsSync(file)) {
      throw new Error(`${request.name}: CNN_DATA_MIRROR is ${mirror}, but ${file} does not exist (expected <mirror>/${request.dataset}/${request.name})`);
    }
    const check = await verifyOnce(file, request.sha256);
    if (!check.ok) throw new Error(checksumMessage(request.name, `the mirror copy ${file}`, request.sha256, check.actual));
    return file;
  }

  const dir = path.join(options.dataDir ?? env.dataDir, request.dataset);
  const target = path.join(dir, request.name);
  if (fs.existsSync(target)) {
    const check = await verifyOnce(target, request.sha256);
    if (check.ok) return target;
    // Only verified files are ever renamed into place, so this one changed on disk since: fetch it again.
    log(`${target} no longer matches its checksum (sha256 ${check.actual}); downloading it again.`);
    fs.rmSync(target);
  }
  fs.mkdirSync(dir, { recursive: true });
  const part = `${target}${PART_SUFFIX}`;
  await downloadWithResume(request, part, options.progress ?? true);
  const actual = await sha256File(part);
  if (actual !== request.sha256) {
    fs.rmSync(part, { force: true });
    throw new Error(checksumMessage(request.name, request.url, request.sha256, actual) + "\n  The partial file was deleted; run again to retry.");
  }
  fs.renameSync(part, target);
  verified.set(target, fileStamp(target));
  return target;
}

interface TransferState {
  received: number;
  total: number | null;
}

/** Download into `part`, resuming after interruptions; leaves `part` complete (not yet verified). */
async function downloadWithResume(request: DatasetFileRequest, part: string, progress: boolean | LiveLineTarget): Promise<void> {
  const line = progress === false ? null : openLiveLine(progress === true ? undefined : progress);
  const state: TransferState = { received: 0, total: null };
  const startedAt = performance.now();
  let lastDrawn = 0;
  const draw = (final: boolean) => {
    const now = performance.now();
    if (line === null || (!final && now - lastDrawn < REDRAW_INTERVAL_MS)) return;
    lastDrawn = now;
    const text = downloadProgressText(request.name, state, (now - startedAt) / 1000);
    if (final) line.finish(text);
    else line.update(text);
  };

  let lastError: Error | null = null;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const resumeFrom = fs.existsSync(part) ? fs.statSync(part).size : 0;
    try {
      await transfer(request, part, resumeFrom, state, () => draw(false));
      draw(true);
      return;
    } catch (error) {
      lastError = error as Error;
      const code = (error as NodeJS.ErrnoException).code;
      if (!(error instanceof InterruptedTransfer) && !(code && OFFLINE_CODES.has(code) && state.received > 0)) break;
    }
  }
  if (line !== null && state.received > 0) draw(true);
  throw describeFailure(request, part, state, lastError);
}

/** The connection dropped before the announced length arrived. */
class InterruptedTransfer extends Error {}

/** A server answer that is not the file (404, 500…). */
class HttpStatusError extends Error {}

function describeFailure(request: DatasetFileRequest, part: string, state: TransferState, error: Error | null): Error {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const where = `${request.name} from ${request.url}`;
  if (error instanceof HttpStatusError) return new Error(`Could not download ${where}: ${error.message}`);
  if (error instanceof InterruptedTransfer || state.received > 0) {
    return new Error(
      `Download of ${where} was interrupted after ${formatBytes(state.received)}${state.total ? ` of ${formatBytes(state.total)}` : ""} ` +
        `(${error?.message ?? "unknown error"}). The partial file ${part} is kept; run again to resume.`,
    );
  }
  const offline = code !== undefined && OFFLINE_CODES.has(code);
  return new Error(
    `Could not download ${where}: ${error?.message ?? "unknown error"}.` +
      (offline
        ? ` No network? Check the connection, or set CNN_DATA_MIRROR to a folder holding ${request.dataset}/${request.name} (e.g. CNN_DATA_MIRROR=../shared/data).`
        : ""),
  );
}

function formatBytes(bytes: number): string {
  return bytes >= MEGABYTE ? `${(bytes / MEGABYTE).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} kB`;
}

/** `Downloading train-images-idx3-ubyte.gz  4.2/9.5 MB  44%  1.3 MB/s`. */
export function downloadProgressText(name: string, state: TransferState, seconds: number): string {
  const total = state.total;
  const amount = total ? `${formatBytes(state.received)}/${formatBytes(total)}` : formatBytes(state.received);
  const percent = total ? `  ${Math.floor((100 * state.received) / total)}%` : "";
  const rate = seconds > 0 ? `  ${formatBytes(state.received / seconds)}/s` : "";
  return `Downloading ${name}  ${amount}${percent}${rate}`;
}

/** GET `url` (following redirects), asking for bytes from `resumeFrom` on. */
function request(url: string, resumeFrom: number, redirects = 0): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith("https:") ? https : http;
    const headers: http.OutgoingHttpHeaders = resumeFrom > 0 ? { Range: `bytes=${resumeFrom}-` } : {};
    const req = client.get(url, { headers }, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        if (redirects >= MAX_REDIRECTS) return reject(new HttpStatusError(`too many redirects (last to ${response.headers.location})`));
        return resolve(request(new URL(response.headers.location, url).toString(), resumeFrom, redirects + 1));
      }
      resolve(response);
    });
    req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(Object.assign(new Error(`no answer for ${IDLE_TIMEOUT_MS / 1000} s`), { code: "ETIMEDOUT" })));
    req.on("error", reject);
  });
}

/** One connection: append to (206) or rewrite (200) `part` until the body ends. */
async function transfer(
  file: DatasetFileRequest,
  part: string,
  resumeFrom: number,
  state: TransferState,
  onData: () => void,
): Promise<void> {
  const response = await request(file.url, resumeFrom);
  const status = response.statusCode ?? 0;
  if (status === 416 && resumeFrom > 0) {
    // The range is past the end: the part file is already whole (or wrong). Start again from nothing.
    response.resume();
    fs.rmSync(part, { force: true });
    state.received = 0;
    throw new InterruptedTransfer("the server refused to resume; restarting");
  }
  if (status !== 200 && status !== 206) {
    response.resume();
    throw new HttpStatusError(`the server answered ${status} ${response.statusMessage ?? ""}`.trim());
  }
  const resuming = status === 206;
  const offset = resuming ? resumeFrom : 0; // 200 means the server sends the whole file: start over
  const length = Number(response.headers["content-length"]);
  state.received = offset;
  state.total = Number.isFinite(length) ? offset + length : file.bytes;
  const out = fs.createWriteStream(part, { flags: resuming ? "a" : "w" });
  try {
    await new Promise<void>((resolve, reject) => {
      response.on("data", (chunk: Buffer) => {
        state.received += chunk.length;
        onData();
      });
      response.on("aborted", () => reject(new InterruptedTransfer("the connection closed mid-file")));
      response.on("error", (error) => reject(error.message === "aborted" ? new InterruptedTransfer("the connection closed mid-file") : error));
      out.on("error", reject);
      out.on("finish", () => resolve());
      response.pipe(out);
    });
  } finally {
    // Wait until the bytes are on disk: the next attempt resumes from the file's size.
    await new Promise<void>((resolve) => {
      if (out.closed) return resolve();
      out.once("close", () => resolve());
      out.end();
    });
  }
  if (Number.isFinite(length) && state.received < offset + length) {
    throw new InterruptedTransfer(`the connection closed after ${state.received - offset} of ${length} bytes`);
  }
}
