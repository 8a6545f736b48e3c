/**
 * npm run kernel [-- --user] [-- --force]
 *
 * Writes the kernelspecs (kernel.json) that start THIS project's tslab — "tslab" (TypeScript) and "jslab"
 * (JavaScript) — so Jupyter runs notebooks with the project's node_modules. Default: the project-local Jupyter data
 * dir (.jupyter/, git-ignored; `npm run notebook` puts it on JUPYTER_PATH). With --user: the user's Jupyter data dir
 * (~/.local/share/jupyter), seen by any Jupyter. A kernelspec there that someone else wrote (tslab's own installer,
 * another checkout of the course) is not replaced unless --force says so.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import {
  JS_KERNEL_NAME,
  KERNEL_DISPLAY_NAME,
  KERNEL_NAME,
  kernelSpecFile,
  kernelSpecOwner,
  localJupyterDataDir,
  userJupyterDataDir,
  writeKernelSpec,
} from "./jupyter/tslab";

const USAGE = "usage: npm run kernel [-- --user] [-- --force]   (default: the project-local .jupyter/ data dir)";

/** What an existing kernelspec starts, for the message. */
function describeSpec(file: string): string {
  try {
    const spec = JSON.parse(fs.readFileSync(file, "utf8")) as { argv?: unknown; display_name?: unknown };
    const argv = Array.isArray(spec.argv) ? spec.argv.join(" ") : "an unknown command";
    return `"${String(spec.display_name ?? "?")}", which runs ${argv}`;
  } catch {
    return "a file that is not valid JSON";
  }
}

function main(): number {
  const { values } = parseArgs({ options: { user: { type: "boolean" }, force: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const dataDir = values.user ? userJupyterDataDir() : localJupyterDataDir();
  let refused = 0;
  for (const kernel of [KERNEL_NAME, JS_KERNEL_NAME] as const) {
    const file = kernelSpecFile(dataDir, kernel);
    const owner = kernelSpecOwner(file);
    if ((owner === "foreign" || owner === "other-project") && !values.force) {
      refused++;
      const whose = owner === "foreign" ? "not written by this course" : "written by another checkout of this course";
      console.error(
        `Not replacing ${file}: it is ${whose}: ${describeSpec(file)}.\n` +
          `  Replace it (notebooks asking for "${kernel}" then run on this project's tslab): npm run kernel -- ${values.user ? "--user " : ""}--force\n` +
          "  Or leave it and open the course with npm run notebook, which uses the project-local kernelspec.",
      );
      continue;
    }
    const written = writeKernelSpec(dataDir, undefined, kernel);
    console.log(`Wrote the "${kernel}" kernelspec${owner === "none" ? "" : " (replacing " + (owner === "this" ? "this project's own" : "another") + ")"}: ${written}`);
  }
  if (!values.user) {
    console.log(`Jupyter finds them with JUPYTER_PATH=${dataDir} (npm run notebook sets that), or install them for your user: npm run kernel -- --user`);
  } else if (refused === 0) {
    console.log(`Jupyter shows the course's kernel as "${KERNEL_DISPLAY_NAME}".`);
  }
  return refused > 0 ? 1 : 0;
}

process.exitCode = main();
