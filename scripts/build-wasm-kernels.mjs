// Compiles the pure wasm path's SIMD training kernels (lib/backend/simd/assembly/) with AssemblyScript, twice: for
// a memory of its own that threads share, and for the wasm backend's (unshared) heap. Run by `npm install`
// (scripts/setup.mjs) and `npm run build`. Output: lib/backend/simd/build/ (git-ignored).
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const source = join(root, "lib", "backend", "simd", "assembly", "training-kernels.ts");
const output = join(root, "lib", "backend", "simd", "build");
const compiler = join(root, "node_modules", "assemblyscript", "bin", "asc.js");
// No runtime, no abort strings: the module must have no data segments, since it may run inside another module's
// memory (tests/backend/simd-kernels.test.ts checks).
const common = ["-O3", "--enable", "simd", "--runtime", "stub", "--importMemory", "--noExportMemory", "--use", "abort="];
mkdirSync(output, { recursive: true });
const variants = [
  ["training-kernels.wasm", []],
  ["training-kernels-shared.wasm", ["--sharedMemory", "--enable", "threads", "--maximumMemory", "65536"]],
];
for (const [file, flags] of variants) {
  execFileSync(process.execPath, [compiler, source, "--outFile", join(output, file), ...common, ...flags], { stdio: "inherit" });
}
