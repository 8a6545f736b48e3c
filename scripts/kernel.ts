/**
 * npm run kernel [-- --user]
 *
 * Writes the tslab kernelspec (kernel.json) that starts THIS project's tslab, so Jupyter runs notebooks with the
 * project's node_modules. Default: the project-local Jupyter data dir (.jupyter/, git-ignored; `npm run notebook`
 * puts it on JUPYTER_PATH). With --user: the user's Jupyter data dir (~/.local/share/jupyter), seen by any Jupyter.
 */
import { parseArgs } from "node:util";
import { KERNEL_DISPLAY_NAME, localJupyterDataDir, userJupyterDataDir, writeKernelSpec } from "./jupyter/tslab";

function main(): void {
  const { values } = parseArgs({ options: { user: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
  if (values.help) {
    console.log("usage: npm run kernel [-- --user]   (default: the project-local .jupyter/ data dir)");
    return;
  }
  const dataDir = values.user ? userJupyterDataDir() : localJupyterDataDir();
  const file = writeKernelSpec(dataDir);
  console.log(`Wrote the "${KERNEL_DISPLAY_NAME}" kernelspec: ${file}`);
  if (!values.user) {
    console.log(`Jupyter finds it with JUPYTER_PATH=${dataDir} (npm run notebook sets that), or install it for your user: npm run kernel -- --user`);
  }
}

main();
