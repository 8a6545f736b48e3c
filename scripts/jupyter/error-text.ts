/**
 * Turn what a failing tslab cell wrote to stderr into an nbformat error output. tslab sends no iopub "error" message:
 * the text comes as stderr (on iopub while the cell runs, on the kernel's own stderr otherwise), e.g.
 *   "1:19 - Type 'string' is not assignable to type 'number'."        (a TypeScript diagnostic)
 *   "evalmachine.<anonymous>:2\nthrow new Error(\"boom\");\n^\n\nError: boom\n    at …"  (a thrown error)
 */
import type { ErrorOutput } from "./nbformat";

const TYPESCRIPT_DIAGNOSTIC = /^(?:\S+ )?(\d+):(\d+) - (.+)$/m;
const THROWN_ERROR = /^([A-Za-z_$][\w$]*(?:Error|Exception)|Error)(?: \[[^\]]*\])?: ?(.*)$/m;
const UNCAUGHT_VALUE = /^Uncaught (.+)$/m;
/** Stack frames inside tslab and node:vm say nothing about the notebook; the reader's frames come first anyway. */
const KERNEL_INTERNAL_FRAME = /^\s+at .*(node_modules\/tslab\/|\(node:vm:|sigintHandlersWrap|\(node:internal\/)/;

/** The error text without tslab's own stack frames. */
export function cleanErrorText(text: string): string {
  return text
    .split("\n")
    // A dropped frame may open the error's own properties ("… {"); keep that brace so the text stays balanced.
    .map((line) => (KERNEL_INTERNAL_FRAME.test(line) ? (line.trimEnd().endsWith(" {") ? "    {" : null) : line))
    .filter((line): line is string => line !== null)
    .join("\n")
    .trim();
}

export function errorOutputFromStderr(stderr: string): ErrorOutput {
  const text = stderr.replace(/\s+$/, "");
  const traceback = text === "" ? [] : text.split("\n");
  const diagnostic = TYPESCRIPT_DIAGNOSTIC.exec(text);
  if (diagnostic) {
    return { output_type: "error", ename: "TypeScriptError", evalue: `line ${diagnostic[1]}, column ${diagnostic[2]}: ${diagnostic[3]}`, traceback };
  }
  const thrown = THROWN_ERROR.exec(text);
  if (thrown) return { output_type: "error", ename: thrown[1], evalue: thrown[2], traceback };
  const uncaught = UNCAUGHT_VALUE.exec(text);
  if (uncaught) return { output_type: "error", ename: "Error", evalue: uncaught[1], traceback };
  const firstLine = traceback.find((line) => line.trim() !== "") ?? "the cell failed without an error message";
  return { output_type: "error", ename: "Error", evalue: firstLine.trim(), traceback };
}
