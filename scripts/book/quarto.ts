/**
 * Quarto, where it is installed: find it on PATH and let it render the project from `_quarto.yml`.
 */
import { spawnSync } from "node:child_process";

const QUARTO = "quarto";

/** Quarto's version when `quarto` is on PATH and runs, else null. */
export function quartoVersion(): string | null {
  const probe = spawnSync(QUARTO, ["--version"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0) return null;
  return probe.stdout.trim();
}

/** `quarto render` in the project; Quarto prints its own progress. Throws when it fails. */
export function quartoRender(projectRoot: string, outputDir?: string): void {
  const args = ["render", ...(outputDir === undefined ? [] : ["--output-dir", outputDir])];
  const result = spawnSync(QUARTO, args, { cwd: projectRoot, stdio: "inherit" });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) throw new Error(`quarto ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
}
