/**
 * Where the course finds a Chromium (for the PNG copies of figures and the book's browser test) and how it starts
 * one: headless, offline and quiet, so nothing phones home on a closed network and nothing needs a display.
 */
import * as fs from "node:fs";

/** Where Debian, Ubuntu and Chrome's packages put the browser; `CHROMIUM_PATH` overrides. */
export const CHROMIUM_CANDIDATES: readonly string[] = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];

/** The Chromium to use, or null when this machine has none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = env.CHROMIUM_PATH ? [env.CHROMIUM_PATH] : CHROMIUM_CANDIDATES;
  return candidates.find((file) => fs.existsSync(file)) ?? null;
}
