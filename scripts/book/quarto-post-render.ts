/**
 * Quarto's post-render step (`project.post-render` in _quarto.yml): put plotly.js into `<output>/assets/`, where
 * book/quarto-plotly.html loads it from, so the figures draw with the site's own copy.
 */
import * as path from "node:path";
import { copyPlotly } from "./assets";

// Quarto runs post-render scripts in the project folder and names the output folder in this variable.
const outputDir = process.env.QUARTO_PROJECT_OUTPUT_DIR ?? "_book";
copyPlotly(path.resolve(outputDir));
