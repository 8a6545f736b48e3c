// Runs on `npm install` (the root package's `prepare`): build lib/ so notebooks can import "cnn-notebooks".
// Placeholder until the full setup lands.
import { execFileSync } from "node:child_process";
execFileSync(process.execPath, [new URL("../node_modules/typescript/bin/tsc", import.meta.url).pathname, "-p", "lib"], { stdio: "inherit" });
