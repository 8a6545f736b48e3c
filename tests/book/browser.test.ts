/**
 * The book as a reader gets it: rendered by the own renderer into a temporary folder, served over HTTP on
 * 127.0.0.1, and opened page by page in headless Chromium (Debian's, driven by playwright-core; never a browser
 * download). Two books: the fixture book (every output kind, always present) and the course itself, each at a desktop
 * width and at a phone's (390 px). Screenshots land in test-artifacts/book/<book>/<width>/ (git-ignored) for a person
 * to look at; the course's first-paint timings in test-artifacts/book/course/timings.json.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { CHROMIUM_ARGS, findChromium } from "../../lib/env/chromium";
import { buildBook, type BuildResult, type RenderedPage } from "../../scripts/book/build";
import { measurePage } from "./measure";
import { serveFolder, type StaticServer } from "./static-server";

const REPOSITORY_ROOT = path.resolve(__dirname, "..", "..");
const CHROMIUM = findChromium();
const VIEWPORT = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };
const ARTIFACTS = path.join(REPOSITORY_ROOT, "test-artifacts", "book");
/** plotly.js loads after the page (4.8 MB, parsed on a busy 2-core machine); a figure not drawn by then never will. */
const FIGURE_WAIT_MS = 90_000;
const IMAGE_WAIT_MS = 10_000;
/** Navigation and screenshots of long pages take far longer than playwright's 30 s default on a loaded 2-core machine. */
const BUSY_MACHINE_TIMEOUT_MS = 180_000;

const BOOKS = [
  { name: "fixture", projectRoot: path.join(__dirname, "fixtures", "project") },
  { name: "course", projectRoot: REPOSITORY_ROOT },
];

interface PageFindings {
  consoleErrors: string[];
  failedRequests: string[];
}

function watchPage(page: Page): PageFindings {
  const findings: PageFindings = { consoleErrors: [], failedRequests: [] };
  page.on("console", (message) => {
    if (message.type() === "error") findings.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => findings.consoleErrors.push(`uncaught: ${error.message}`));
  page.on("requestfailed", (request) => findings.failedRequests.push(`${request.url()} (${request.failure()?.errorText})`));
  page.on("response", (response) => {
    if (response.status() >= 400) findings.failedRequests.push(`${response.url()} (HTTP ${response.status()})`);
  });
  return findings;
}

/** Every same-site link must reach a page of the book, and its #anchor an element on that page. */
function brokenLinks(hrefs: string[], pageUrl: string, server: StaticServer, outputDir: string): string[] {
  const broken: string[] = [];
  for (const href of hrefs) {
    const url = new URL(href, pageUrl);
    if (!url.href.startsWith(server.url)) continue;
    const relative = decodeURIComponent(url.pathname.slice(new URL(server.url).pathname.length));
    const file = path.join(outputDir, relative === "" || relative.endsWith("/") ? `${relative}index.html` : relative);
    if (!fs.existsSync(file)) {
      broken.push(`${href} → no ${relative}`);
    } else if (url.hash !== "" && file.endsWith(".html")) {
      const id = decodeURIComponent(url.hash.slice(1));
      if (!fs.readFileSync(file, "utf8").includes(`id="${id}"`)) broken.push(`${href} → no #${id} on ${relative}`);
    }
  }
  return broken;
}

/** Wait until Plotly has drawn every figure of the page; returns how many are still undrawn. */
async function waitForFigures(page: Page): Promise<{ figures: number; undrawn: number }> {
  const figures = await page.locator("[data-plotly-figure]").count();
  if (figures === 0) return { figures, undrawn: 0 };
  await page
    .waitForFunction(
      () => Array.from(document.querySelectorAll("[data-plotly-figure]")).every((figure) => figure.querySelector("svg.main-svg") !== null),
      null,
      { timeout: FIGURE_WAIT_MS },
    )
    .catch(() => undefined);
  const undrawn = await page.evaluate(
    () => Array.from(document.querySelectorAll("[data-plotly-figure]")).filter((figure) => !figure.querySelector("svg.main-svg")).length,
  );
  return { figures, undrawn };
}

function screenshotPath(name: string, width: number, rendered: RenderedPage): string {
  const file = path.join(ARTIFACTS, name, String(width), `${rendered.output.replace(/\//g, "__").replace(/\.html$/, "")}.png`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return file;
}

async function checkPage(context: BrowserContext, book: BuildResult, rendered: RenderedPage, server: StaticServer, name: string): Promise<string[]> {
  const page = await context.newPage();
  const findings = watchPage(page);
  const problems: string[] = [];
  const pageUrl = server.url + rendered.output;
  try {
    await page.goto(pageUrl, { waitUntil: "load" });

    const title = await page.title();
    if (!title.includes(rendered.title)) problems.push(`title "${title}" lacks "${rendered.title}"`);
    const sidebar = await page.evaluate(() => ({
      links: Array.from(document.querySelectorAll("nav.sidebar .toc a")).length,
      current: Array.from(document.querySelectorAll("nav.sidebar .toc a.current .chapter-title")).map((a) => a.textContent ?? ""),
    }));
    if (sidebar.links !== book.pages.length) problems.push(`sidebar has ${sidebar.links} links, the book ${book.pages.length} pages`);
    if (sidebar.current.length !== 1 || sidebar.current[0] !== rendered.title) {
      problems.push(`sidebar highlights ${JSON.stringify(sidebar.current)}, not "${rendered.title}"`);
    }

    const { figures, undrawn } = await waitForFigures(page);
    if (undrawn > 0) problems.push(`${undrawn} of ${figures} Plotly figure(s) not drawn`);

    // Quarto-like navigation: the page's table of contents, heading anchors, copy buttons, the notebook to download.
    const navigation = await page.evaluate(() => ({
      sections: document.querySelectorAll(".chapter h2[id], .chapter h3[id]").length,
      tocLinks: document.querySelectorAll(".page-toc li:not(.page-actions li) a[href^='#']").length,
      anchors: document.querySelectorAll(".chapter h2 > a.anchor, .chapter h3 > a.anchor").length,
      codeBlocks: document.querySelectorAll("pre.code-block").length,
      copyButtons: document.querySelectorAll(".code-copy-wrap > button.copy-button").length,
      tocVisible: (() => {
        const toc = document.querySelector(".page-toc");
        return toc !== null && toc.getBoundingClientRect().left > document.querySelector(".chapter")!.getBoundingClientRect().right;
      })(),
      download: document.querySelector("a.download-notebook[download]")?.getAttribute("href") ?? null,
      source: document.querySelector("a.view-source")?.getAttribute("href") ?? null,
    }));
    if (navigation.tocLinks !== navigation.sections) problems.push(`page TOC lists ${navigation.tocLinks} of ${navigation.sections} sections`);
    if (navigation.sections > 0 && !navigation.tocVisible) problems.push("page TOC is not in a right-hand column");
    if (navigation.anchors !== navigation.sections) problems.push(`${navigation.anchors} heading anchors for ${navigation.sections} sections`);
    if (navigation.copyButtons !== navigation.codeBlocks) problems.push(`${navigation.copyButtons} copy buttons for ${navigation.codeBlocks} code blocks`);
    if (rendered.source.endsWith(".ipynb") && navigation.download === null) problems.push("no download link for the notebook");
    if (navigation.source === null) problems.push("no source link");

    await page
      .waitForFunction(() => Array.from(document.images).every((image) => image.complete), null, { timeout: IMAGE_WAIT_MS })
      .catch(() => undefined);
    const unloaded = await page.evaluate(() =>
      Array.from(document.images)
        .filter((image) => !image.complete || image.naturalWidth === 0)
        .map((image) => image.getAttribute("src") ?? "?"),
    );
    for (const src of unloaded) problems.push(`image not loaded: ${src}`);

    const hrefs = await page.evaluate(() => Array.from(document.querySelectorAll("a[href]")).map((a) => a.getAttribute("href") ?? ""));
    problems.push(...brokenLinks(hrefs, pageUrl, server, book.outputDir));

    await page.screenshot({ path: screenshotPath(name, VIEWPORT.width, rendered), fullPage: true });
  } finally {
    await page.close();
  }
  problems.push(...findings.consoleErrors.map((text) => `console error: ${text}`));
  problems.push(...findings.failedRequests.map((text) => `failed request: ${text}`));
  return problems.map((problem) => `${rendered.output}: ${problem}`);
}

/**
 * The page on a phone: nothing scrolls sideways, the navigation is collapsed behind its button (which opens it), and
 * every figure is drawn inside the viewport with its panels side by side, never on top of each other.
 */
async function checkPhonePage(context: BrowserContext, rendered: RenderedPage, server: StaticServer, name: string): Promise<string[]> {
  const page = await context.newPage();
  const findings = watchPage(page);
  const problems: string[] = [];
  try {
    await page.goto(server.url + rendered.output, { waitUntil: "load" });
    const { figures, undrawn } = await waitForFigures(page);
    if (undrawn > 0) problems.push(`${undrawn} of ${figures} Plotly figure(s) not drawn`);
    await page.waitForFunction(() => Array.from(document.images).every((image) => image.complete), null, { timeout: IMAGE_WAIT_MS }).catch(() => undefined);

    const layout = await page.evaluate(() => {
      const viewport = document.documentElement.clientWidth;
      const figures = Array.from(document.querySelectorAll("[data-plotly-figure]")).map((figure, index) => {
        const drawn = (figure.querySelector(".main-svg") as Element | null)?.getBoundingClientRect() ?? figure.getBoundingClientRect();
        // One drag rectangle per subplot: the panels' plotting areas as drawn (after any scaling).
        const panels = Array.from(figure.querySelectorAll(".draglayer .nsewdrag")).map((panel) => panel.getBoundingClientRect());
        const overlapping: string[] = [];
        for (let i = 0; i < panels.length; i++) {
          for (let j = i + 1; j < panels.length; j++) {
            // (inline: a named helper inside page.evaluate would not survive the test's TypeScript transform)
            const [a, b] = [panels[i], panels[j]];
            const area = Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
            if (area > 1) overlapping.push(`${i}&${j}`);
          }
        }
        const outside = panels.filter((panel) => panel.left < drawn.left - 1 || panel.right > drawn.right + 1).length;
        return { index, left: drawn.left, right: drawn.right, panels: panels.length, overlapping, outside };
      });
      // A training log, even opened, is at most one screen tall (it scrolls inside its box).
      const logs = Array.from(document.querySelectorAll("details.training-log")).map((log) => {
        (log as HTMLDetailsElement).open = true;
        const height = log.getBoundingClientRect().height;
        (log as HTMLDetailsElement).open = false;
        return height;
      });
      const sidebar = document.getElementById("sidebar")!;
      const toggle = document.querySelector(".nav-toggle") as HTMLElement | null;
      return {
        viewport,
        scrollWidth: document.documentElement.scrollWidth,
        sidebarHidden: sidebar.getBoundingClientRect().height === 0,
        toggleVisible: toggle !== null && toggle.getBoundingClientRect().width > 0,
        screenHeight: window.innerHeight,
        logs,
        figures,
      };
    });
    if (layout.scrollWidth > layout.viewport) problems.push(`the page scrolls sideways (${layout.scrollWidth} px wide in ${layout.viewport} px)`);
    if (!layout.sidebarHidden) problems.push("the navigation is not collapsed");
    if (!layout.toggleVisible) problems.push("no Contents button");
    for (const height of layout.logs) if (height > layout.screenHeight) problems.push(`a training log is ${height.toFixed(0)} px tall, more than a screen`);
    for (const figure of layout.figures) {
      if (figure.left < -0.5 || figure.right > layout.viewport + 0.5) problems.push(`figure ${figure.index + 1} drawn from ${figure.left.toFixed(0)} to ${figure.right.toFixed(0)} px, outside the viewport`);
      if (figure.overlapping.length > 0) problems.push(`figure ${figure.index + 1}: panels ${figure.overlapping.join(", ")} overlap`);
      if (figure.outside > 0) problems.push(`figure ${figure.index + 1}: ${figure.outside} panel(s) outside the figure`);
    }
    await page.screenshot({ path: screenshotPath(name, PHONE.width, rendered), fullPage: true });

    if (layout.toggleVisible) {
      await page.click(".nav-toggle");
      const opened = await page.evaluate(() => ({
        visible: document.getElementById("sidebar")!.getBoundingClientRect().height > 0,
        expanded: document.querySelector(".nav-toggle")!.getAttribute("aria-expanded"),
        scrollWidth: document.documentElement.scrollWidth,
      }));
      if (!opened.visible || opened.expanded !== "true") problems.push("the Contents button does not open the navigation");
      if (opened.scrollWidth > layout.viewport) problems.push("the open navigation scrolls sideways");
    }
  } finally {
    await page.close();
  }
  problems.push(...findings.consoleErrors.map((text) => `console error: ${text}`));
  problems.push(...findings.failedRequests.map((text) => `failed request: ${text}`));
  return problems.map((problem) => `${rendered.output} at ${PHONE.width} px: ${problem}`);
}

describe("the rendered book in headless Chromium", function () {
  let browser: Browser | null = null;

  before(async function () {
    if (CHROMIUM === null) {
      console.log(`    (skipped: no Chromium found; install Debian's chromium or set CHROMIUM_PATH)`);
      this.skip();
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS], headless: true });
  });

  after(async function () {
    await browser?.close();
  });

  for (const { name, projectRoot } of BOOKS) {
    describe(`the ${name} book`, function () {
      let outputDir = "";
      let book: BuildResult;
      let server: StaticServer | null = null;

      before(async function () {
        outputDir = fs.mkdtempSync(path.join(os.tmpdir(), `book-${name}-`));
        book = buildBook({ projectRoot, outputDir });
        server = await serveFolder(outputDir);
      });

      after(async function () {
        await server?.close();
        if (outputDir !== "") fs.rmSync(outputDir, { recursive: true, force: true });
      });

      it("shows every page with its title, sidebar, page TOC, anchors, copy buttons and notebook link, draws every figure, loads every image, links only to pages that exist, logs no errors", async function () {
        this.timeout(30 * 60_000);
        expect(book.pages.length).to.be.greaterThan(1);
        const problems: string[] = [];
        // One context for the book: plotly.js is fetched once and then comes from the cache.
        const context = await browser!.newContext({ viewport: VIEWPORT });
        context.setDefaultTimeout(BUSY_MACHINE_TIMEOUT_MS);
        try {
          for (const rendered of book.pages) problems.push(...(await checkPage(context, book, rendered, server!, name)));
        } finally {
          await context.close();
        }
        expect(problems).to.deep.equal([]);
      });

      it("at 390 px: no page scrolls sideways, navigation collapsed behind a working button, figures inside the viewport with panels apart", async function () {
        this.timeout(30 * 60_000);
        const problems: string[] = [];
        const context = await browser!.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
        context.setDefaultTimeout(BUSY_MACHINE_TIMEOUT_MS);
        try {
          for (const rendered of book.pages) problems.push(...(await checkPhonePage(context, rendered, server!, name)));
        } finally {
          await context.close();
        }
        expect(problems).to.deep.equal([]);
      });

      it("heading anchors, copy buttons and the notebook download work", async function () {
        this.timeout(5 * 60_000);
        const chapter = book.pages.find((rendered) => rendered.source.endsWith(".ipynb") && rendered.output !== "notebooks/index.html") ?? book.pages[1];
        const context = await browser!.newContext({ viewport: VIEWPORT, permissions: ["clipboard-read", "clipboard-write"] });
        context.setDefaultTimeout(BUSY_MACHINE_TIMEOUT_MS);
        const page = await context.newPage();
        try {
          await page.goto(server!.url + chapter.output, { waitUntil: "load" });
          const anchor = page.locator(".chapter h2 > a.anchor").first();
          const target = await anchor.getAttribute("href");
          await anchor.click();
          expect(new URL(page.url()).hash).to.equal(target);
          const top = await page.evaluate((id) => document.getElementById(id.slice(1))!.getBoundingClientRect().top, target!);
          expect(Math.abs(top), "the section is scrolled to the top").to.be.below(40);

          const code = await page.locator("pre.code-block code").first().textContent();
          await page.locator("button.copy-button").first().click();
          await page.waitForFunction(() => document.querySelector("button.copy-button")!.textContent === "Copied", null, { timeout: 5_000 });
          expect(await page.evaluate(() => navigator.clipboard.readText())).to.equal(code);

          const download = await page.locator("a.download-notebook").getAttribute("href");
          const response = await page.request.get(new URL(download!, page.url()).href);
          expect(response.status()).to.equal(200);
          const notebook = JSON.parse(await response.text()) as { nbformat: number; cells: unknown[] };
          expect(notebook.nbformat).to.equal(4);
          expect(notebook.cells.length).to.be.greaterThan(0);
        } finally {
          await context.close();
        }
      });

      it("paints a figure page's text before plotly.js has loaded, and keeps the PNGs (no error) when plotly.js never loads", async function () {
        this.timeout(40 * 60_000); // each page in a cold cache: plotly.js fetched and parsed afresh, nine pages
        fs.mkdirSync(path.join(ARTIFACTS, name), { recursive: true });
        const figurePages = book.pages.filter((rendered) => rendered.usesPlotly);
        expect(figurePages.length).to.be.greaterThan(0);
        const timings: Record<string, unknown> = {};
        const late: string[] = [];
        for (const rendered of figurePages) {
          const timing = await measurePage(browser!, server!.url + rendered.output, VIEWPORT.width, FIGURE_WAIT_MS);
          timings[rendered.output] = timing;
          fs.writeFileSync(path.join(ARTIFACTS, name, "timings.json"), JSON.stringify(timings, null, 2));
          if (timing.plotlyLoaded === null || !(timing.firstPaint < timing.plotlyLoaded)) {
            late.push(`${rendered.output}: first paint ${timing.firstPaint.toFixed(0)} ms, plotly.js loaded ${timing.plotlyLoaded?.toFixed(0) ?? "never"} ms`);
          }
        }
        expect(late).to.deep.equal([]);

        const context = await browser!.newContext({ viewport: VIEWPORT });
        context.setDefaultTimeout(BUSY_MACHINE_TIMEOUT_MS);
        const page = await context.newPage();
        const findings = watchPage(page);
        try {
          await page.route("**/plotly.min.js", (route) => route.abort());
          await page.goto(server!.url + figurePages[0].output, { waitUntil: "load" });
          await page.waitForFunction(() => (window as unknown as { cnnBook?: { plotlyFailed?: boolean } }).cnnBook?.plotlyFailed === true, null, { timeout: 10_000 });
          const state = await page.evaluate(() =>
            Array.from(document.querySelectorAll("figure[data-plotly-figure]")).map((figure) => {
              const image = figure.querySelector("img.plotly-static") as HTMLImageElement | null;
              return { image: image !== null && image.complete && image.naturalWidth > 0 && image.getBoundingClientRect().height > 0, text: figure.textContent ?? "" };
            }),
          );
          expect(state.length).to.be.greaterThan(0);
          for (const figure of state) {
            expect(figure.image, "the PNG stays").to.equal(true);
            expect(figure.text).not.to.match(/error|could not/i);
          }
          expect(findings.consoleErrors.filter((text) => !/Failed to load resource/.test(text))).to.deep.equal([]);
        } finally {
          await context.close();
        }
      });

      it("finds the last chapter from the search box", async function () {
        const last = book.pages[book.pages.length - 1];
        const word = last.title.split(/\s+/).find((candidate) => candidate.length >= 4) ?? last.title;
        const page = await browser!.newPage({ viewport: VIEWPORT });
        try {
          await page.goto(server!.url + book.pages[0].output, { waitUntil: "load" });
          await page.fill("#search-input", word);
          const result = page.locator(`#search-results a[href$="${last.output}"], #search-results a[href*="${last.output}#"]`).first();
          await result.waitFor({ timeout: IMAGE_WAIT_MS });
          await result.click();
          await page.waitForURL((url) => url.pathname.endsWith(last.output));
          expect(await page.title()).to.include(last.title);
        } finally {
          await page.close();
        }
      });
    });
  }
});
