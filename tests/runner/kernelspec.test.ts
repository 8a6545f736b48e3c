import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { syncWorkingCopy, workingCopyDir } from "../../scripts/notebook";
import { IOPUB_LOSSLESS_PRELOAD, JS_KERNEL_DISPLAY_NAME, KERNEL_DISPLAY_NAME, findProjectRoot, kernelSpecOwner, tslabKernelFor, writeKernelSpec } from "../../scripts/jupyter/tslab";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

function runScript(script: string, args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ["--import", "tsx", path.join("scripts", script), ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, encoding: "utf8", timeout: 90_000 });
}

describe("runner: kernelspec and npm run notebook", function () {
  this.timeout(120_000); // scripts start tsx in a fresh node, slow on a loaded machine
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "kernelspec-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("writes kernelspecs that start the project's own tslab (TypeScript and JavaScript) with the lossless preload", () => {
    const file = writeKernelSpec(dir);
    expect(file).to.equal(path.join(dir, "kernels", "tslab", "kernel.json"));
    const spec = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(spec.argv).to.deep.equal([path.join(PROJECT_ROOT, "node_modules", ".bin", "tslab"), "kernel", "--config-path", "{connection_file}"]);
    expect(fs.existsSync(spec.argv[0])).to.equal(true);
    expect(spec.display_name).to.equal(KERNEL_DISPLAY_NAME).and.equal("TypeScript (cnn-notebooks)");
    expect(spec.language).to.equal("typescript");
    expect(spec.env.NODE_OPTIONS).to.equal(`--require ${JSON.stringify(IOPUB_LOSSLESS_PRELOAD)}`);
    expect(fs.existsSync(IOPUB_LOSSLESS_PRELOAD)).to.equal(true);
    const js = JSON.parse(fs.readFileSync(writeKernelSpec(dir, PROJECT_ROOT, "jslab"), "utf8"));
    expect(js.argv.slice(-1)).to.deep.equal(["--js"]);
    expect(js.display_name).to.equal(JS_KERNEL_DISPLAY_NAME);
    expect(js.language).to.equal("javascript");
  });

  it("finds the project root from the runner's own folder", () => {
    expect(findProjectRoot()).to.equal(PROJECT_ROOT);
  });

  it("tells which kernel a notebook asks for, and refuses others by name", () => {
    expect(tslabKernelFor({ kernelspec: { name: "tslab" } })).to.deep.equal({ kernel: "tslab" });
    expect(tslabKernelFor({ kernelspec: { name: "jslab" } })).to.deep.equal({ kernel: "jslab" });
    expect(tslabKernelFor({})).to.deep.equal({ kernel: "tslab" });
    expect(tslabKernelFor({ language_info: { name: "javascript" } })).to.deep.equal({ kernel: "jslab" });
    expect(tslabKernelFor({ kernelspec: { name: "python3", display_name: "Python 3" } })).to.deep.equal({ refused: 'it asks for the kernel "python3" (Python 3)' });
  });

  it("npm run kernel -- --user does not replace a tslab kernelspec it did not write, unless --force", () => {
    const foreign = path.join(dir, "kernels", "tslab", "kernel.json");
    fs.mkdirSync(path.dirname(foreign), { recursive: true });
    const tslabOwn = JSON.stringify({ argv: ["tslab", "kernel", "--config-path", "{connection_file}"], display_name: "TypeScript", language: "typescript" });
    fs.writeFileSync(foreign, tslabOwn);
    expect(kernelSpecOwner(foreign)).to.equal("foreign");

    const refused = runScript("kernel.ts", ["--user"], { JUPYTER_DATA_DIR: dir });
    expect(refused.status).to.equal(1);
    expect(refused.stderr).to.include(`Not replacing ${foreign}`).and.include('"TypeScript", which runs tslab kernel').and.include("--user --force");
    expect(fs.readFileSync(foreign, "utf8")).to.equal(tslabOwn, "the other kernelspec was overwritten");
    expect(fs.existsSync(path.join(dir, "kernels", "jslab", "kernel.json"))).to.equal(true, "the free jslab name was still written");

    const again = runScript("kernel.ts", ["--user"], { JUPYTER_DATA_DIR: dir });
    expect(again.stdout).to.include('Wrote the "jslab" kernelspec (replacing this project\'s own)');
    const forced = runScript("kernel.ts", ["--user", "--force"], { JUPYTER_DATA_DIR: dir });
    expect(forced.status).to.equal(0);
    expect(kernelSpecOwner(foreign)).to.equal("this");
  });

  it("npm run notebook --profile lab works in a git-ignored copy that keeps the learner's edits", () => {
    const course = path.join(dir, "notebooks");
    fs.mkdirSync(path.join(course, "assets"), { recursive: true });
    fs.writeFileSync(path.join(course, "01.ipynb"), "course 1");
    fs.writeFileSync(path.join(course, "02.ipynb"), "course 2");
    fs.writeFileSync(path.join(course, "assets", "plotly.min.js"), "js");
    const work = workingCopyDir(dir, "lab");
    expect(work).to.equal(path.join(dir, ".jupyter", "workspaces", "lab"));
    expect(syncWorkingCopy(course, work)).to.deep.equal({ copied: ["01.ipynb", "02.ipynb"], kept: [], newerInCourse: [] });
    fs.writeFileSync(path.join(work, "01.ipynb"), "my lab run");
    fs.utimesSync(path.join(work, "01.ipynb"), new Date(2000, 1, 1), new Date(2000, 1, 1));
    fs.writeFileSync(path.join(course, "01.ipynb"), "course 1, updated");
    fs.writeFileSync(path.join(course, "03.ipynb"), "course 3");
    expect(syncWorkingCopy(course, work)).to.deep.equal({ copied: ["03.ipynb"], kept: ["01.ipynb", "02.ipynb"], newerInCourse: ["01.ipynb"] });
    expect(fs.readFileSync(path.join(work, "01.ipynb"), "utf8")).to.equal("my lab run");
    expect(fs.readFileSync(path.join(work, "assets", "plotly.min.js"), "utf8")).to.equal("js");
    const ignored = spawnSync("git", ["check-ignore", "-q", path.join(".jupyter", "workspaces", "lab", "01.ipynb")], { cwd: PROJECT_ROOT });
    expect(ignored.status).to.equal(0, "the working copy must be git-ignored");
  });

  it("prints the install commands and exits non-zero when Jupyter is missing", () => {
    const run = runScript("notebook.ts", [], { PATH: path.join(os.tmpdir(), "no-jupyter-here") });
    expect(run.status).to.equal(1);
    expect(run.stderr).to.include("apt-get install jupyter-notebook jupyter-client").and.include("pip install jupyterlab");
  });
});
