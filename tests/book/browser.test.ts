/**
 * The book as a reader gets it: rendered by the own renderer into a temporary folder, served over HTTP on
 * 127.0.0.1, and opened page by page in headless Chromium (Debian's, driven by playwright-core; never a browser
 * download). Two books: the fixture book (every output kind, always present) and the course itself.
 * Screenshots land in test-artifacts/book/ (git-ignored) for a person to look at.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { CHROMIUM_ARGS, findChromium } from "../../lib/env/chromium";
import { buildBook, type BuildResult, type RenderedPage } from "../../scripts/book/build";
import { serveFolder, type StaticServer } from "./static-server";

const REPOSITORY_ROOT = path.resolve(__dirname, "..", "..");
const CHROMIUM = findChromium();
const VIEWPORT = { width: 1280, height: 860 };
const ARTIFACTS = path.join(REPOSITORY_ROOT, "test-artifacts", "book");
/** Plotly draws asynchronously after load; a figure that has not drawn by then never will. */
const FIGURE_WAIT_MS = 20_000;
const IMAGE_WAIT_MS = 10_000;

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

async function checkPage(browser: Browser, book: BuildResult, rendered: RenderedPage, server: StaticServer, name: string): Promise<string[]> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  const findings = watchPage(page);
  const problems: string[] = [];
  const pageUrl = server.url + rendered.output;
  try {
    await page.goto(pageUrl, { waitUntil: "load" });

    const title = await page.title();
    if (!title.includes(rendered.title)) problems.push(`title "${title}" lacks "${rendered.title}"`);
    const sidebar = await page.evaluate(() => ({
      links: Array.from(document.querySelectorAll("nav.sidebar .toc a")).length,
      current: Array.from(document.querySelectorAll("nav.sidebar .toc a.current")).map((a) => a.textContent ?? ""),
    }));
    if (sidebar.links !== book.pages.length) problems.push(`sidebar has ${sidebar.links} links, the book ${book.pages.length} pages`);
    if (sidebar.current.length !== 1 || sidebar.current[0] !== rendered.title) {
      problems.push(`sidebar highlights ${JSON.stringify(sidebar.current)}, not "${rendered.title}"`);
    }

    const figures = await page.locator("[data-plotly-figure]").count();
    if (figures > 0) {
      const drawn = await page
        .waitForFunction(
          () => Array.from(document.querySelectorAll("[data-plotly-figure]")).every((figure) => figure.querySelector("svg.main-svg") !== null),
          null,
          { timeout: FIGURE_WAIT_MS },
        )
        .then(() => true, () => false);
      if (!drawn) {
        const undrawn = await page.evaluate(
          () => Array.from(document.querySelectorAll("[data-plotly-figure]")).filter((figure) => !figure.querySelector("svg.main-svg")).length,
        );
        problems.push(`${undrawn} of ${figures} Plotly figure(s) not drawn`);
      }
    }

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

    const screenshot = path.join(ARTIFACTS, name, `${rendered.output.replace(/\//g, "__").replace(/\.html$/, "")}.png`);
    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
  } finally {
    await page.close();
  }
  problems.push(...findings.consoleErrors.map((text) => `console error: ${text}`));
  problems.push(...findings.failedRequests.map((text) => `failed request: ${text}`));
  return problems.map((problem) => `${rendered.output}: ${problem}`);
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

      it("shows every page with its title and sidebar, draws every figure, loads every image, links only to pages that exist, logs no errors", async function () {
        expect(book.pages.length).to.be.greaterThan(1);
        const problems: string[] = [];
        for (const rendered of book.pages) problems.push(...(await checkPage(browser!, book, rendered, server!, name)));
        expect(problems).to.deep.equal([]);
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
