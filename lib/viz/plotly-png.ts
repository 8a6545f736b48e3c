/**
 * The PNG half of a figure, drawn by Plotly itself in headless Chromium so the static image matches the interactive
 * one. One browser per process, launched on first use and closed after a short idle period (an unref'd timer, so it
 * never keeps Node alive); on exit playwright kills the browsers it launched (synchronously, in its 'exit' handler),
 * and Chromium also quits when its DevTools pipe to this process closes, so no Chromium outlives the kernel. Where there is no Chromium, or
 * `CNN_PNG=off`, rendering returns a reason instead of an image: a figure without a PNG is never an error.
 */
import type { Browser, Page } from "playwright-core";
import { CHROMIUM_ARGS, findChromium } from "../env/chromium";
import type { FigureSize, PlotlyFigure } from "./figure";
import { scriptSafeJson } from "./plotly-html";
import { courseSettings, readSettings } from "../env/settings";

/** Figures in one notebook come seconds apart; after this long without one the browser is closed. */
const IDLE_CLOSE_MS = 10_000;
const PNG_DATA_URL_PREFIX = "data:image/png;base64,";

export type PngResult = { png: Uint8Array } | { skipped: string };

export { findChromium };

/** Why PNGs are off here, or null when they can be rendered. */
export function pngUnavailableReason(env: NodeJS.ProcessEnv = process.env): string | null {
  if (!(env === process.env ? courseSettings() : readSettings(env)).png) return "PNG rendering is off (CNN_PNG=off)";
  if (findChromium(env) === null) return "no Chromium found for the static PNG (set CHROMIUM_PATH to its path)";
  return null;
}

interface Renderer {
  browser: Browser;
  page: Page;
}

let renderer: Promise<Renderer> | null = null;
let idleTimer: NodeJS.Timeout | null = null;
let pending = 0;
let launches = 0;

/** How many browsers this process has launched (a diagnostic: figures share one browser while it is open). */
export function pngRendererLaunchCount(): number {
  return launches;
}

async function launchRenderer(executablePath: string): Promise<Renderer> {
  // Loaded here, not at the top: importing the course must not cost playwright's start-up when no figure is drawn.
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath,
    args: [...CHROMIUM_ARGS],
    headless: true,
    // A kernel uses SIGINT to interrupt a cell: playwright's own handler would exit the whole process.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const page = await browser.newPage();
  await page.setContent("<!doctype html><html><head></head><body></body></html>");
  await page.addScriptTag({ path: require.resolve("plotly.js-dist-min/plotly.min.js") });
  return { browser, page };
}

function startIdleTimer(): void {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => void closePngRenderer(), IDLE_CLOSE_MS);
  idleTimer.unref();
}

/** Close the browser now (tests and scripts call this to exit promptly; it also runs after the idle period). */
export async function closePngRenderer(): Promise<void> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  const current = renderer;
  renderer = null;
  if (current) await current.then((r) => r.browser.close()).catch(() => undefined);
}

/** Render a figure to PNG with Plotly.toImage at exactly `size` (scale 1). */
export async function renderPlotlyPng(figure: PlotlyFigure, size: FigureSize): Promise<PngResult> {
  const unavailable = pngUnavailableReason();
  if (unavailable !== null) return { skipped: unavailable };
  pending += 1;
  if (idleTimer) clearTimeout(idleTimer);
  try {
    if (renderer === null) {
      launches += 1;
      renderer = launchRenderer(findChromium() as string);
      renderer.catch(() => (renderer = null));
    }
    const { page } = await renderer;
    // The figure travels as JSON text so typed arrays and NaN survive the same way as in the HTML.
    const figureJson = scriptSafeJson({ data: figure.data, layout: figure.layout ?? {} });
    const dataUrl = await page.evaluate(
      async ({ json, width, height }) => {
        const plotly = (window as unknown as { Plotly: { toImage: (f: unknown, o: unknown) => Promise<string> } }).Plotly;
        return plotly.toImage(JSON.parse(json), { format: "png", width, height, scale: 1 });
      },
      { json: figureJson, width: size.width, height: size.height },
    );
    if (!dataUrl.startsWith(PNG_DATA_URL_PREFIX)) return { skipped: "Plotly did not return a PNG" };
    return { png: new Uint8Array(Buffer.from(dataUrl.slice(PNG_DATA_URL_PREFIX.length), "base64")) };
  } catch (error) {
    return { skipped: `the static PNG could not be rendered (${error instanceof Error ? error.message.split("\n")[0] : error})` };
  } finally {
    pending -= 1;
    if (pending === 0) startIdleTimer();
  }
}
