import { expect } from "chai";
import * as fs from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { figureHtml, scriptSafeJson } from "../../lib/viz/plotly-html";
import { findChromium } from "../../lib/viz/plotly-png";
import { stepThroughFigure } from "../../lib/viz/step-through";

const SIZE = { width: 500, height: 300 };
const figure = (y: number[]) => ({ data: [{ type: "bar", y }], layout: { title: { text: "</script><b>t</b>" } } });
const PLOTLY_FILE = require.resolve("plotly.js-dist-min/plotly.min.js");

describe("lib/viz plotly-html", () => {
  it("keeps the figure JSON safe inside a script element", () => {
    expect(scriptSafeJson({ t: "</script>" })).to.equal('{"t":"\\u003c/script>"}');
    expect(scriptSafeJson({ z: new Float32Array([1, 2]), n: NaN })).to.equal('{"z":[1,2],"n":null}');
    const html = figureHtml(figure([1]), SIZE, "fig-a");
    expect(html.match(/<\/script>/g)).to.have.lengthOf(1);
    expect(html).to.contain('<div id="fig-a" data-plotly-figure');
    expect(html).not.to.contain("plotly.js v");
  });

  describe("in a browser", function () {
    let browser: Browser;
    before(async function () {
      const executablePath = findChromium();
      if (executablePath === null) this.skip();
      browser = await chromium.launch({ executablePath: executablePath as string, args: ["--no-sandbox", "--disable-gpu"] });
    });
    after(async () => browser?.close());

    /** Serve a page of two figures at `pagePath` and the notebook server's plotly.js; count plotly.js requests. */
    async function openPage(pagePath: string, head: string, bodyAttributes: string) {
      const page = await browser.newPage();
      const requested: string[] = [];
      await page.route("http://course.test/**", async (route) => {
        const url = new URL(route.request().url());
        if (url.pathname === pagePath) {
          const body = [figureHtml(figure([1, 2]), SIZE, "one"), figureHtml(figure([3, 1]), SIZE, "two")].join("\n");
          return route.fulfill({ contentType: "text/html", body: `<html><head>${head}</head><body ${bodyAttributes}>${body}</body></html>` });
        }
        if (url.pathname.endsWith("plotly.min.js")) {
          requested.push(url.pathname);
          return route.fulfill({ contentType: "text/javascript", body: fs.readFileSync(PLOTLY_FILE, "utf8") });
        }
        return route.fulfill({ status: 404, body: "" });
      });
      await page.goto(`http://course.test${pagePath}`);
      await page.waitForFunction(() => document.querySelectorAll("[data-plotly-figure] .main-svg").length >= 2, null, { timeout: 30_000 });
      await page.close();
      return requested;
    }

    it("in classic Jupyter, loads plotly.js once from <base>files/<notebook dir>/assets/ and draws both figures", async () => {
      const requested = await openPage("/user/me/notebooks/course/01.ipynb", "", 'data-base-url="/user/me/" data-notebook-path="course/01.ipynb"');
      expect(requested).to.deep.equal(["/user/me/files/course/assets/plotly.min.js"]);
    });

    it("where the page already has window.Plotly (the book), loads nothing more", async () => {
      const requested = await openPage("/book/ch1.html", '<script src="/book/site_libs/plotly.min.js"></script>', "");
      expect(requested).to.deep.equal(["/book/site_libs/plotly.min.js"]); // only the page's own script tag
    });

    it("a step-through figure's slider swaps numbers and caption when moved", async () => {
      const steps = [0, 1, 2].map((i) => ({ label: `s${i}`, caption: `caption ${i}`, panels: [{ matrix: [[i, 9]] }] }));
      const page = await browser.newPage();
      const html = figureHtml(stepThroughFigure(steps), SIZE, "slider");
      await page.setContent(`<html><head><script>${fs.readFileSync(PLOTLY_FILE, "utf8")}</script></head><body>${html}</body></html>`);
      await page.waitForSelector("#slider .main-svg");
      const state = () => page.evaluate(() => ({
        title: document.querySelector("#slider .gtitle")?.textContent,
        firstCell: (document.getElementById("slider") as unknown as { data: Array<{ z: number[][] }> }).data[0].z[0][0],
      }));
      expect(await state()).to.deep.equal({ title: "caption 0", firstCell: 0 });
      // Click the right end of the slider's rail: the last step.
      const rail = await page.locator("#slider .slider-rail-touch-rect").boundingBox();
      if (rail === null) throw new Error("no slider rail drawn");
      await page.mouse.click(rail.x + rail.width - 2, rail.y + rail.height / 2);
      await page.waitForFunction(() => document.querySelector("#slider .gtitle")?.textContent === "caption 2", null, { timeout: 10_000 });
      expect(await state()).to.deep.equal({ title: "caption 2", firstCell: 2 });
      await page.close();
    });
  });
});
