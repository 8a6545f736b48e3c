import { chromium } from "playwright-core";
import { serveFolder } from "./tests/book/static-server";
import { CHROMIUM_ARGS } from "./lib/env/chromium";
(async () => {
  const dir = process.argv[2];
  const server = await serveFolder(dir);
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: [...CHROMIUM_ARGS] });
  for (const [w, h] of [[390, 844], [1366, 900]]) {
    for (const p of process.argv.slice(3)) {
      const page = await browser.newPage({ viewport: { width: w, height: h } });
      page.on("console", (m) => m.type() === "error" && console.log("console", m.text()));
      page.on("pageerror", (e) => console.log("pageerror", e.message));
      await page.goto(server.url + p, { waitUntil: "load" });
      await page.waitForTimeout(4000);
      const info = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth, drawn: document.querySelectorAll(".plotly-drawn").length, figs: document.querySelectorAll("figure[data-plotly-figure]").length, fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime, cnn: (window as any).cnnBook }));
      console.log(w, p, JSON.stringify(info));
      await page.screenshot({ path: `/tmp/book-shot-${w}-${p.replace(/\W/g, "_")}.png`, fullPage: false });
      await page.close();
    }
  }
  await browser.close(); await server.close();
})();
