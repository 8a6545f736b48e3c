/**
 * First paint and weight of a book page, measured in headless Chromium: when the text first painted
 * (first-contentful-paint), when plotly.js finished loading (its resource timing), when figures were drawn, and the
 * bytes the page fetched (all, and without plotly.js). Used by the browser test, and as a script to compare two
 * renderings of the book side by side:
 *
 *   npx tsx tests/book/measure.ts <book folder> [<another book folder>]
 */
import * as path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { CHROMIUM_ARGS, findChromium } from "../../lib/env/chromium";
import { serveFolder } from "./static-server";

export interface PageTiming {
  /** ms from navigation start to the first contentful paint (the text). */
  firstPaint: number;
  /** ms until plotly.js had loaded (responseEnd of its script), or null when the page does not load it. */
  plotlyLoaded: number | null;
  /** ms until the load event. */
  loadEvent: number;
  /** Bytes fetched (documents, styles, scripts, images, fonts), and of those the bytes of plotly.js. */
  bytes: number;
  plotlyBytes: number;
}

/** Open `url` in a fresh context (a cold cache) at `width`, wait for figures (or `settleMs`), and read the timings. */
export async function measurePage(browser: Browser, url: string, width = 1280, settleMs = 60_000): Promise<PageTiming> {
  const context = await browser.newContext({ viewport: { width, height: 860 } });
  context.setDefaultTimeout(180_000); // a busy 2-core machine is slow to navigate
  const page = await context.newPage();
  try {
    await page.goto(url, { waitUntil: "load" });
    // Wait until every figure is drawn by Plotly (old book: inline; new book: figures.js), or give up after settleMs.
    await page
      .waitForFunction(
        () => {
          const figures = Array.from(document.querySelectorAll("[data-plotly-figure]"));
          return figures.every((figure) => figure.querySelector("svg.main-svg") !== null);
        },
        null,
        { timeout: settleMs },
      )
      .catch(() => undefined);
    return await page.evaluate(() => {
      const paint = performance.getEntriesByName("first-contentful-paint")[0];
      const navigation = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      const resources = performance.getEntriesByType("resource") as PerformanceResourceTiming[];
      const plotly = resources.find((entry) => /plotly\.min\.js$/.test(entry.name));
      const bytes = navigation.encodedBodySize + resources.reduce((sum, entry) => sum + entry.encodedBodySize, 0);
      return {
        firstPaint: paint ? paint.startTime : NaN,
        plotlyLoaded: plotly ? plotly.responseEnd : null,
        loadEvent: navigation.loadEventEnd,
        bytes,
        plotlyBytes: plotly ? plotly.encodedBodySize : 0,
      };
    });
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  const folders = process.argv.slice(2);
  const chromiumPath = findChromium();
  if (folders.length === 0 || chromiumPath === null) throw new Error("usage: tsx tests/book/measure.ts <book folder>… (needs Chromium)");
  const pages = ["notebooks/01-feature-extraction.html", "notebooks/06-cats-vs-dogs.html", "notebooks/08-dropout.html", "notebooks/00-setup.html"];
  const browser = await chromium.launch({ executablePath: chromiumPath, args: [...CHROMIUM_ARGS], headless: true });
  try {
    for (const folder of folders) {
      const server = await serveFolder(path.resolve(folder));
      try {
        for (const page of pages) {
          const timing = await measurePage(browser, server.url + page);
          const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
          console.log(
            `${folder}  ${page.padEnd(40)} first paint ${timing.firstPaint.toFixed(0)} ms  plotly.js loaded ${timing.plotlyLoaded === null ? "—" : `${timing.plotlyLoaded.toFixed(0)} ms`}  ` +
              `load ${timing.loadEvent.toFixed(0)} ms  weight ${kb(timing.bytes)} (without plotly.js ${kb(timing.bytes - timing.plotlyBytes)})`,
          );
        }
      } finally {
        await server.close();
      }
    }
  } finally {
    await browser.close();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
