/**
 * Opening a notebook the runner wrote in Jupyter Notebook (classic 6.x, driven by headless Chromium) and saving it
 * without running anything must leave it byte for byte as it was: the front end compares the stored kernelspec and
 * language_info with the kernel's and marks the notebook modified when they differ, and the server rewrites it with
 * nbformat. As a control, the page's own kernelspec and kernel_info are compared with the metadata the chapters had
 * before ("TypeScript", no language version): Jupyter would have marked those modified.
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
  async function openAndSave(name: string): Promise<{ dirty: boolean; before: Buffer; after: Buffer; seen: { kernelspec: unknown; languageInfo: unknown } }> {
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
      // What the front end itself holds: the kernelspec it chose and the kernel's kernel_info language_info.
      const seen = await page.evaluate(() => {
        const notebook = (window as unknown as { Jupyter: { notebook: { metadata: { kernelspec: unknown }; kernel: { info_reply: { language_info: unknown } } } } }).Jupyter.notebook;
        return { kernelspec: notebook.metadata.kernelspec, languageInfo: notebook.kernel.info_reply.language_info };
      });
      await page.evaluate(() => (window as unknown as { Jupyter: { notebook: { save_notebook(): Promise<unknown> } } }).Jupyter.notebook.save_notebook());
      return { dirty, before, after: fs.readFileSync(file), seen };
    } finally {
      await page.close();
    }
  }

  it("a notebook the runner wrote: not marked modified on opening, unchanged after saving", async () => {
    const { dirty, before, after, seen } = await openAndSave("executed.ipynb");
    expect(dirty).to.equal(false, "Jupyter marked the notebook modified on opening");
    expect(after.toString("utf8")).to.equal(before.toString("utf8"));
    const stored = JSON.parse(before.toString("utf8")).metadata;
    expect(stored.kernelspec).to.deep.equal(seen.kernelspec);
    expect(stored.language_info).to.deep.equal(seen.languageInfo);
    // The control: the metadata the chapters carried before differs from what Jupyter holds, so it would mark them modified.
    expect({ display_name: "TypeScript", language: "typescript", name: "tslab" }).to.not.deep.equal(seen.kernelspec);
    expect((seen.languageInfo as { version?: string }).version).to.be.a("string").and.not.equal("");
  });
});
