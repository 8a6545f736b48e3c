/**
 * Opening a notebook the runner wrote in Jupyter Notebook (classic 6.x, driven by headless Chromium) and saving it
 * without running anything must leave it byte for byte as it was: the front end compares the stored kernelspec and
 * language_info with the kernel's and marks the notebook modified when they differ, and the server rewrites it with
 * nbformat. A notebook with the old metadata ("TypeScript", no language version) is the control: it does change.
 * Skipped where Jupyter Notebook or Chromium is missing.
 */
import { expect } from "chai";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { CHROMIUM_ARGS, findChromium } from "../../lib/env/chromium";
import { findFreePorts } from "../../scripts/jupyter/connection";
import { executeNotebook } from "../../scripts/jupyter/execute-notebook";
import { descendantPids } from "../../scripts/jupyter/kernel-process";
import { readNotebook, serializeNotebook } from "../../scripts/jupyter/nbformat";
import { writeKernelSpec } from "../../scripts/jupyter/tslab";

const FIXTURE = path.join(__dirname, "fixtures", "good.ipynb");
const CHROMIUM = findChromium();
const JUPYTER = spawnSync("sh", ["-c", "command -v jupyter-notebook"], { encoding: "utf8" }).stdout.trim();
const TOKEN = "roundtrip-test-token";

async function waitForServer(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Jupyter did not answer at ${url} within ${ms / 1000} s`);
}

describe("runner: a notebook opened and saved in Jupyter stays byte for byte the same", function () {
  this.timeout(900_000); // a kernel and a Jupyter server start here; minutes on a loaded machine
  let dir: string;
  let server: ChildProcess | null = null;
  let browser: Browser | null = null;
  let base = "";

  before(async function () {
    if (!JUPYTER || !CHROMIUM) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "jupyter-roundtrip-"));
    const notebooks = path.join(dir, "notebooks");
    fs.mkdirSync(notebooks);
    // The runner's own output: the fixture executed (stream, HTML, PNG, text outputs; timing metadata).
    const result = await executeNotebook(FIXTURE, { outputPath: path.join(notebooks, "executed.ipynb"), profile: "smoke", startupTimeoutSeconds: 600 });
    expect(result.ok, result.message).to.equal(true);
    // The control: the same notebook with the metadata the chapters had before.
    const old = readNotebook(path.join(notebooks, "executed.ipynb"));
    old.metadata.kernelspec = { display_name: "TypeScript", language: "typescript", name: "tslab" };
    delete (old.metadata.language_info as Record<string, unknown>).version;
    fs.writeFileSync(path.join(notebooks, "old-metadata.ipynb"), serializeNotebook(old));

    const data = path.join(dir, "data");
    writeKernelSpec(data);
    const [port] = await findFreePorts(1);
    base = `http://127.0.0.1:${port}`;
    server = spawn(JUPYTER, [
      "--no-browser", `--port=${port}`, "--ip=127.0.0.1", `--NotebookApp.token=${TOKEN}`, `--notebook-dir=${notebooks}`,
      "--allow-root", "--NotebookApp.open_browser=False",
    ], {
      env: { ...process.env, JUPYTER_PATH: data, JUPYTER_CONFIG_DIR: path.join(dir, "config"), JUPYTER_RUNTIME_DIR: path.join(dir, "runtime"), JUPYTER_DATA_DIR: data },
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
    });
    let serverLog = "";
    server.stderr?.on("data", (chunk) => (serverLog += chunk));
    await waitForServer(`${base}/api?token=${TOKEN}`, 300_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${serverLog}`);
    });
    browser = await chromium.launch({ executablePath: CHROMIUM as string, args: [...CHROMIUM_ARGS], headless: true });
  });

  after(async () => {
    await browser?.close();
    if (server?.pid !== undefined) {
      const children = descendantPids(server.pid);
      try { process.kill(-server.pid, "SIGKILL"); } catch { /* gone */ }
      for (const pid of children) try { process.kill(pid, "SIGKILL"); } catch { /* gone */ }
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Open the notebook, wait for its kernel, report whether Jupyter marked it modified, save it; the bytes before and after. */
  async function openAndSave(name: string): Promise<{ dirty: boolean; before: Buffer; after: Buffer }> {
    const file = path.join(dir, "notebooks", name);
    const before = fs.readFileSync(file);
    const page = await (browser as Browser).newPage();
    try {
      await page.goto(`${base}/notebooks/${name}?token=${TOKEN}`, { waitUntil: "domcontentloaded", timeout: 120_000 });
      await page.waitForFunction(
        () => {
          const jupyter = (window as unknown as { Jupyter?: { notebook?: { kernel?: { info_reply?: { language_info?: unknown } } } } }).Jupyter;
          return jupyter?.notebook?.kernel?.info_reply?.language_info !== undefined;
        },
        undefined,
        { timeout: 600_000 },
      );
      await page.waitForTimeout(500); // the kernel_ready handlers run after the reply
      const dirty = await page.evaluate(() => (window as unknown as { Jupyter: { notebook: { dirty: boolean } } }).Jupyter.notebook.dirty);
      await page.evaluate(() => (window as unknown as { Jupyter: { notebook: { save_notebook(): Promise<unknown> } } }).Jupyter.notebook.save_notebook());
      await page.evaluate(() => fetch(`/api/sessions`).then((r) => r.json()).then((sessions: Array<{ id: string }>) =>
        Promise.all(sessions.map((s) => fetch(`/api/sessions/${s.id}`, { method: "DELETE", headers: { "X-XSRFToken": "" } })))),
      ).catch(() => undefined);
      return { dirty, before, after: fs.readFileSync(file) };
    } finally {
      await page.close();
    }
  }

  it("a notebook the runner wrote: not marked modified on opening, unchanged after saving", async () => {
    const { dirty, before, after } = await openAndSave("executed.ipynb");
    expect(dirty).to.equal(false, "Jupyter marked the notebook modified on opening");
    expect(after.toString("utf8")).to.equal(before.toString("utf8"));
  });

  it("(control) a notebook with the old kernelspec metadata is marked modified and rewritten", async () => {
    const { dirty, before, after } = await openAndSave("old-metadata.ipynb");
    expect(dirty).to.equal(true);
    expect(after.equals(before)).to.equal(false);
  });
});
