/**
 * Checking a learner's answer in a notebook cell. The right answer is always computed by the caller from the course's
 * own functions (never typed in), then compared here: ✓ with the reasoning, or ✗ with what to reconsider. Known
 * wrong answers (a forgotten bias, an ignored stride) get their own advice.
 */
import { inspect } from "node:util";

export type Answer = number | number[] | number[][];

/** A wrong answer we can recognise, and the advice for it. */
export interface Misconception {
  answer: Answer;
  reconsider: string;
}

export interface CheckOptions {
  /** The question, short: "output size of a 6×6 image, 3×3 kernel, stride 2". */
  question: string;
  /** Why the answer is what it is; shown with ✓. */
  explain: string;
  /** What to reconsider when the answer is wrong and no misconception matches. */
  hint: string;
  misconceptions?: Misconception[];
  /** Largest accepted difference per number. Default 1e-6 (answers may be typed with rounding: pass e.g. 0.01). */
  tolerance?: number;
  /**
   * Also print the message now. Default false: a check that ends a cell is shown by the kernel (its text is the
   * message); set it when the check sits in the middle of a cell.
   */
  print?: boolean;
}

/** The verdict. A notebook shows it as its message alone (✓ …, ✗ … Reconsider: …, or ✎ not answered yet). */
export class CheckResult {
  constructor(readonly answered: boolean, readonly correct: boolean, readonly message: string) {}

  [inspect.custom](): string {
    return this.message;
  }

  toString(): string {
    return this.message;
  }
}

function shapeOf(value: Answer): number[] {
  if (typeof value === "number") return [];
  if (value.length > 0 && Array.isArray(value[0])) return [value.length, (value[0] as number[]).length];
  return [value.length];
}

function describeShape(shape: number[]): string {
  if (shape.length === 0) return "a number";
  if (shape.length === 1) return `a list of ${shape[0]} numbers`;
  return `a ${shape[0]}×${shape[1]} grid`;
}

function numbersOf(value: Answer): number[] {
  return typeof value === "number" ? [value] : (value as Array<number | number[]>).flat();
}

/** True when `a` and `b` have the same shape and every number agrees within `tolerance`. */
export function sameAnswer(a: Answer, b: Answer, tolerance = 1e-6): boolean {
  const [shapeA, shapeB] = [shapeOf(a), shapeOf(b)];
  if (shapeA.join("×") !== shapeB.join("×")) return false;
  const [x, y] = [numbersOf(a), numbersOf(b)];
  if (x.length !== y.length) return false;
  return x.every((v, i) => typeof v === "number" && Number.isFinite(v) && Math.abs(v - y[i]) <= tolerance);
}

function show(value: Answer): string {
  if (typeof value === "number") return value.toLocaleString("en-US");
  return JSON.stringify(value);
}

/** Compare `answer` with `expected` and say ✓, ✗ (with advice), or that the cell still waits for an answer. */
export function checkAnswer(answer: Answer | undefined | null, expected: Answer, options: CheckOptions): CheckResult {
  const tolerance = options.tolerance ?? 1e-6;
  let result: CheckResult;
  if (answer === undefined || answer === null) {
    result = new CheckResult(false, false, `✎ ${options.question}: not answered yet. Replace undefined with your answer and run the cell again.`);
  } else if (sameAnswer(answer, expected, tolerance)) {
    result = new CheckResult(true, true, `✓ ${options.question}: ${show(answer)}. ${options.explain}`);
  } else if (shapeOf(answer).join("×") !== shapeOf(expected).join("×")) {
    result = new CheckResult(true, false,
      `✗ ${options.question}: your answer is ${describeShape(shapeOf(answer))}, the question asks for ${describeShape(shapeOf(expected))}.`);
  } else {
    const known = (options.misconceptions ?? []).find((m) => !sameAnswer(m.answer, expected, tolerance) && sameAnswer(answer, m.answer, tolerance));
    result = new CheckResult(true, false, `✗ ${options.question}: ${show(answer)} is not it. Reconsider: ${known ? known.reconsider : options.hint}`);
  }
  if (options.print ?? false) console.log(result.message);
  return result;
}
