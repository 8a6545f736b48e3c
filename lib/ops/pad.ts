/**
 * Zero padding: a border of zeros around an image, so a kernel's centre can sit on the edge pixels too.
 */
import { checkMatrix, filled, type Matrix } from "./arrays";

export interface PaddingAmounts {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

function checkAmount(value: number, side: string): void {
  if (!Number.isInteger(value) || value < 0) throw new Error(`padding ${side} must be a whole number ≥ 0, not ${value}`);
}

/** Surround `image` with zeros: `amount` on every side, or per side. */
export function zeroPad(image: Matrix, amount: number | PaddingAmounts): Matrix {
  const [rows, cols] = checkMatrix(image, "image");
  const pad = typeof amount === "number" ? { top: amount, bottom: amount, left: amount, right: amount } : amount;
  (Object.keys(pad) as Array<keyof PaddingAmounts>).forEach((side) => checkAmount(pad[side], side));
  const padded = filled(rows + pad.top + pad.bottom, cols + pad.left + pad.right);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) padded[r + pad.top][c + pad.left] = image[r][c];
  }
  return padded;
}
