/**
 * The copy of plotly.js the notebook server serves (`notebooks/assets/plotly.min.js`, git-ignored), so figures in
 * classic Jupyter load plotly.js from `<base>files/assets/plotly.min.js` instead of carrying it in every output.
 * Installed by the setup step and, as a safety net, on the first figure shown in a kernel.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PLOTLY_ASSET_PATH } from "./plotly-html";

const NOTEBOOKS_FOLDER = "notebooks";

/** Copy plotly.min.js into `<projectRoot>/notebooks/assets/` unless an identical-size copy is there; returns its path. */
export function installPlotlyAsset(projectRoot: string): string {
  const source = require.resolve("plotly.js-dist-min/plotly.min.js");
  const target = path.join(projectRoot, NOTEBOOKS_FOLDER, PLOTLY_ASSET_PATH);
  const upToDate = fs.existsSync(target) && fs.statSync(target).size === fs.statSync(source).size;
  if (!upToDate) {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(source, target);
  }
  return target;
}
