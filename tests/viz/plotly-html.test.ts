import { expect } from "chai";
import * as fs from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { figureHtml, PLOTLY_URL_RESOLVER_SOURCE, scriptSafeJson } from "../../lib/viz/plotly-html";

/** The resolver exactly as the browser runs it (it ships as source text inside each figure's script). */
const plotlyUrls = new Function(`return ${PLOTLY_URL_RESOLVER_SOURCE}`)() as (pathname: string, baseUrl: string | null, notebookPath: string | null) => string[];
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

  describe("finding plotly.js from the page's URL", () => {
    it("classic Notebook 6: <base>files/<notebook folder>/assets/ from the body's data attributes", () => {
      expect(plotlyUrls("/notebooks/notebooks/01.ipynb", "/", "notebooks/01.ipynb")).to.deep.equal(["/files/notebooks/assets/plotly.min.js"]);
      expect(plotlyUrls("/user/me/notebooks/01.ipynb", "/user/me/", "01.ipynb")).to.deep.equal(["/user/me/files/assets/plotly.min.js"]);
      expect(plotlyUrls("/x", "/user/me", "a/b/c.ipynb")).to.deep.equal(["/user/me/files/a/b/assets/plotly.min.js"]);
    });

    it("JupyterLab and Notebook 7: /lab/tree/<path> → /files/<folder>/assets/, under any base URL and workspace", () => {
      expect(plotlyUrls("/lab/tree/notebooks/01-feature-extraction.ipynb", null, null)).to.deep.equal(["/files/notebooks/assets/plotly.min.js"]);
      expect(plotlyUrls("/user/me/lab/tree/01.ipynb", null, null)).to.deep.equal(["/user/me/files/assets/plotly.min.js"]);
      expect(plotlyUrls("/lab/workspaces/auto-x/tree/notebooks/08-dropout.ipynb", null, null)).to.deep.equal(["/files/notebooks/assets/plotly.min.js"]);
      expect(plotlyUrls("/notebooks/notebooks/01.ipynb", null, null)).to.deep.equal(["/files/notebooks/assets/plotly.min.js"]);
      expect(plotlyUrls("/doc/tree/notebooks/01.ipynb", null, null)).to.deep.equal(["/files/notebooks/assets/plotly.min.js"]);
    });

    it("JupyterLab with no document in its URL: the notebooks folder, then the server root", () => {
      expect(plotlyUrls("/lab", null, null)).to.deep.equal(["/files/notebooks/assets/plotly.min.js", "/files/assets/plotly.min.js"]);
      expect(plotlyUrls("/hub/user/me/lab/workspaces/w", null, null)).to.deep.equal([
        "/hub/user/me/files/notebooks/assets/plotly.min.js",
        "/hub/user/me/files/assets/plotly.min.js",
      ]);
    });

    it("a plain page (an exported HTML file): assets/ beside the page", () => {
      expect(plotlyUrls("/home/me/course/notebooks/01.html", null, null)).to.deep.equal(["assets/plotly.min.js"]);
      expect(plotlyUrls("/index.html", null, null)).to.deep.equal(["assets/plotly.min.js"]);
    });
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

    it("in JupyterLab, loads plotly.js once from /files/<notebook dir>/assets/ and draws both figures", async () => {
      const requested = await openPage("/lab/tree/course/01.ipynb", "", "");
      expect(requested).to.deep.equal(["/files/course/assets/plotly.min.js"]);
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
