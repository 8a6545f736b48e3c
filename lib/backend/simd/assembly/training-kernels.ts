// AssemblyScript (compiled to wasm SIMD by scripts/build-wasm-kernels.mjs; not part of lib's TypeScript build).
//
// The heavy training kernels of the pure wasm path, on NHWC float32 data in a memory the caller owns. Every pointer
// is a byte address in that memory. The convolutions are blocked as small matrix products: 4 pixels (or 4 filter
// rows) × 8 output channels held in 8 SIMD accumulators, so each step of the inner loop does 16 SIMD multiplies and
// adds for 6 loads and stays within the 16 vector registers V8 uses on x64. Each kernel takes a range of its outer
// loop so two threads can split one call. No static data: this module may run inside another module's memory.

// @ts-nocheck  (AssemblyScript types: v128, f32, usize; see node_modules/assemblyscript/std/assembly/index.d.ts)

const FLOAT: usize = 4;
const BLOCK_CHANNELS: i32 = 8;

@inline function relu(value: v128): v128 {
  return f32x4.max(value, f32x4.splat(0));
}

/** Byte address of the first input row that output row `row` (= n·outHeight + oh) reads. */
@inline function firstInputRow(x: usize, row: i32, outHeight: i32, inHeight: i32, strideHeight: i32, rowBytes: usize): usize {
  const n = row / outHeight;
  return x + (<usize>(n * inHeight + (row - n * outHeight) * strideHeight)) * rowBytes;
}

/**
 * y[n,oh,ow,co] = bias[co] + Σ x[n, oh·strideH+kh, ow·strideW+kw, ci] · w[kh,kw,ci,co], then relu when asked.
 * x is already padded (the caller pads); outChannels must be a multiple of 8. Computes output rows
 * n·outHeight+oh in [rowFrom, rowTo). bias = 0 means no bias.
 */
export function conv2d(
  x: usize, w: usize, bias: usize, y: usize,
  inHeight: i32, inWidth: i32, inChannels: i32,
  filterHeight: i32, filterWidth: i32, outChannels: i32,
  outHeight: i32, outWidth: i32, strideHeight: i32, strideWidth: i32,
  applyRelu: i32, rowFrom: i32, rowTo: i32,
): void {
  const rowBytes = <usize>(inWidth * inChannels) * FLOAT;
  const pixelStep = <usize>(strideWidth * inChannels) * FLOAT;
  const tapCount = filterWidth * inChannels; // contiguous floats of x per filter row
  const filterRowBytes = <usize>outChannels * FLOAT;
  for (let row = rowFrom; row < rowTo; row++) {
    const xRow = firstInputRow(x, row, outHeight, inHeight, strideHeight, rowBytes);
    const yRow = y + <usize>(row * outWidth * outChannels) * FLOAT;
    for (let block = 0; block < outChannels; block += BLOCK_CHANNELS) {
      const blockOffset = <usize>block * FLOAT;
      const bias0 = bias == 0 ? f32x4.splat(0) : v128.load(bias + blockOffset);
      const bias1 = bias == 0 ? f32x4.splat(0) : v128.load(bias + blockOffset, 16);
      let ow = 0;
      for (; ow + 4 <= outWidth; ow += 4) {
        let a00 = bias0, a01 = bias1, a10 = bias0, a11 = bias1;
        let a20 = bias0, a21 = bias1, a30 = bias0, a31 = bias1;
        let wp = w + blockOffset;
        for (let kh = 0; kh < filterHeight; kh++) {
          let xp = xRow + <usize>kh * rowBytes + <usize>ow * pixelStep;
          for (let tap = 0; tap < tapCount; tap++) {
            const w0 = v128.load(wp);
            const w1 = v128.load(wp, 16);
            const x0 = v128.load32_splat(xp);
            const x1 = v128.load32_splat(xp + pixelStep);
            const x2 = v128.load32_splat(xp + 2 * pixelStep);
            const x3 = v128.load32_splat(xp + 3 * pixelStep);
            a00 = f32x4.add(a00, f32x4.mul(x0, w0)); a01 = f32x4.add(a01, f32x4.mul(x0, w1));
            a10 = f32x4.add(a10, f32x4.mul(x1, w0)); a11 = f32x4.add(a11, f32x4.mul(x1, w1));
            a20 = f32x4.add(a20, f32x4.mul(x2, w0)); a21 = f32x4.add(a21, f32x4.mul(x2, w1));
            a30 = f32x4.add(a30, f32x4.mul(x3, w0)); a31 = f32x4.add(a31, f32x4.mul(x3, w1));
            xp += FLOAT;
            wp += filterRowBytes;
          }
        }
        if (applyRelu) {
          a00 = relu(a00); a01 = relu(a01); a10 = relu(a10); a11 = relu(a11);
          a20 = relu(a20); a21 = relu(a21); a30 = relu(a30); a31 = relu(a31);
        }
        const yp = yRow + (<usize>(ow * outChannels + block)) * FLOAT;
        const pixelBytes = <usize>outChannels * FLOAT;
        v128.store(yp, a00); v128.store(yp, a01, 16);
        v128.store(yp + pixelBytes, a10); v128.store(yp + pixelBytes, a11, 16);
        v128.store(yp + 2 * pixelBytes, a20); v128.store(yp + 2 * pixelBytes, a21, 16);
        v128.store(yp + 3 * pixelBytes, a30); v128.store(yp + 3 * pixelBytes, a31, 16);
      }
      for (; ow < outWidth; ow++) {
        let a0 = bias0, a1 = bias1;
        let wp = w + blockOffset;
        for (let kh = 0; kh < filterHeight; kh++) {
          let xp = xRow + <usize>kh * rowBytes + <usize>ow * pixelStep;
          for (let tap = 0; tap < tapCount; tap++) {
            const x0 = v128.load32_splat(xp);
            a0 = f32x4.add(a0, f32x4.mul(x0, v128.load(wp)));
            a1 = f32x4.add(a1, f32x4.mul(x0, v128.load(wp, 16)));
            xp += FLOAT;
            wp += filterRowBytes;
          }
        }
        if (applyRelu) {
          a0 = relu(a0); a1 = relu(a1);
        }
        const yp = yRow + (<usize>(ow * outChannels + block)) * FLOAT;
        v128.store(yp, a0); v128.store(yp, a1, 16);
      }
    }
  }
}

/**
 * dw[kh,kw,ci,co] += Σ_{n,oh,ow} x[n, oh·strideH+kh, ow·strideW+kw, ci] · dy[n,oh,ow,co] over the output rows
 * [0, rows), for the output-channel blocks [blockFrom, blockTo) (blocks of 8; outChannels a multiple of 8). x is
 * already padded; dw must hold zeros (or a partial sum) before the call.
 */
export function conv2dBackpropFilter(
  x: usize, dy: usize, dw: usize,
  inHeight: i32, inWidth: i32, inChannels: i32,
  filterHeight: i32, filterWidth: i32, outChannels: i32,
  outHeight: i32, outWidth: i32, strideHeight: i32, strideWidth: i32,
  rows: i32, blockFrom: i32, blockTo: i32,
): void {
  const rowBytes = <usize>(inWidth * inChannels) * FLOAT;
  const pixelStep = <usize>(strideWidth * inChannels) * FLOAT;
  const tapCount = filterWidth * inChannels;
  const dwRowBytes = <usize>outChannels * FLOAT;
  const dyPixelBytes = <usize>outChannels * FLOAT;
  for (let row = 0; row < rows; row++) {
    const dyRow = dy + <usize>(row * outWidth * outChannels) * FLOAT;
    const xFirstRow = firstInputRow(x, row, outHeight, inHeight, strideHeight, rowBytes);
    for (let kh = 0; kh < filterHeight; kh++) {
      const xRow = xFirstRow + <usize>kh * rowBytes;
      const dwKh = dw + <usize>(kh * tapCount) * dwRowBytes;
      for (let block = blockFrom; block < blockTo; block++) {
        const blockOffset = <usize>(block * BLOCK_CHANNELS) * FLOAT;
        let tap = 0;
        for (; tap + 4 <= tapCount; tap += 4) {
          const dp = dwKh + <usize>tap * dwRowBytes + blockOffset;
          let a00 = v128.load(dp), a01 = v128.load(dp, 16);
          let a10 = v128.load(dp + dwRowBytes), a11 = v128.load(dp + dwRowBytes, 16);
          let a20 = v128.load(dp + 2 * dwRowBytes), a21 = v128.load(dp + 2 * dwRowBytes, 16);
          let a30 = v128.load(dp + 3 * dwRowBytes), a31 = v128.load(dp + 3 * dwRowBytes, 16);
          let xp = xRow + <usize>tap * FLOAT;
          let gp = dyRow + blockOffset;
          for (let ow = 0; ow < outWidth; ow++) {
            const g0 = v128.load(gp);
            const g1 = v128.load(gp, 16);
            const x0 = v128.load32_splat(xp);
            const x1 = v128.load32_splat(xp, 4);
            const x2 = v128.load32_splat(xp, 8);
            const x3 = v128.load32_splat(xp, 12);
            a00 = f32x4.add(a00, f32x4.mul(x0, g0)); a01 = f32x4.add(a01, f32x4.mul(x0, g1));
            a10 = f32x4.add(a10, f32x4.mul(x1, g0)); a11 = f32x4.add(a11, f32x4.mul(x1, g1));
            a20 = f32x4.add(a20, f32x4.mul(x2, g0)); a21 = f32x4.add(a21, f32x4.mul(x2, g1));
            a30 = f32x4.add(a30, f32x4.mul(x3, g0)); a31 = f32x4.add(a31, f32x4.mul(x3, g1));
            xp += pixelStep;
            gp += dyPixelBytes;
          }
          v128.store(dp, a00); v128.store(dp, a01, 16);
          v128.store(dp + dwRowBytes, a10); v128.store(dp + dwRowBytes, a11, 16);
          v128.store(dp + 2 * dwRowBytes, a20); v128.store(dp + 2 * dwRowBytes, a21, 16);
          v128.store(dp + 3 * dwRowBytes, a30); v128.store(dp + 3 * dwRowBytes, a31, 16);
        }
        for (; tap < tapCount; tap++) {
          const dp = dwKh + <usize>tap * dwRowBytes + blockOffset;
          let a0 = v128.load(dp), a1 = v128.load(dp, 16);
          let xp = xRow + <usize>tap * FLOAT;
          let gp = dyRow + blockOffset;
          for (let ow = 0; ow < outWidth; ow++) {
            const x0 = v128.load32_splat(xp);
            a0 = f32x4.add(a0, f32x4.mul(x0, v128.load(gp)));
            a1 = f32x4.add(a1, f32x4.mul(x0, v128.load(gp, 16)));
            xp += pixelStep;
            gp += dyPixelBytes;
          }
          v128.store(dp, a0); v128.store(dp, a1, 16);
        }
      }
    }
  }
}

/**
 * Max-pool gradient where windows do not overlap and start at the origin (stride = window, no leading padding):
 * each window's gradient goes to its FIRST maximum in row-major order (tf's tie rule), every other element gets 0,
 * including rows and columns no window covers. channels must be a multiple of 4. Rows n·outHeight+oh in
 * [rowFrom, rowTo); the caller zeroes what no window covers.
 */
export function maxPoolGradTiled(
  x: usize, dy: usize, dx: usize,
  inHeight: i32, inWidth: i32, channels: i32,
  poolHeight: i32, poolWidth: i32, outHeight: i32, outWidth: i32,
  rowFrom: i32, rowTo: i32,
): void {
  const pixelBytes = <usize>channels * FLOAT;
  const rowBytes = <usize>inWidth * pixelBytes;
  for (let row = rowFrom; row < rowTo; row++) {
    const windowTop = firstInputRow(x, row, outHeight, inHeight, poolHeight, rowBytes);
    const offsetToDx = dx - x;
    for (let ow = 0; ow < outWidth; ow++) {
      const windowStart = windowTop + <usize>(ow * poolWidth) * pixelBytes;
      const gp = dy + (<usize>((row * outWidth + ow) * channels)) * FLOAT;
      for (let c: usize = 0; c < <usize>channels * FLOAT; c += 16) {
        // First pass: the maximum and the index of its first occurrence (strictly greater replaces).
        let best = f32x4.splat(-Infinity);
        let bestAt = i32x4.splat(-1);
        let index = 0;
        for (let r = 0; r < poolHeight; r++) {
          let p = windowStart + <usize>r * rowBytes + c;
          for (let q = 0; q < poolWidth; q++) {
            const value = v128.load(p);
            const greater = f32x4.gt(value, best);
            best = v128.bitselect(value, best, greater);
            bestAt = v128.bitselect(i32x4.splat(index), bestAt, greater);
            index++;
            p += pixelBytes;
          }
        }
        // Second pass: the gradient where the index matches, zero elsewhere.
        const gradient = v128.load(gp + c);
        const zero = f32x4.splat(0);
        index = 0;
        for (let r = 0; r < poolHeight; r++) {
          let p = windowStart + <usize>r * rowBytes + c;
          for (let q = 0; q < poolWidth; q++) {
            v128.store(p + offsetToDx, v128.bitselect(gradient, zero, i32x4.eq(bestAt, i32x4.splat(index))));
            index++;
            p += pixelBytes;
          }
        }
      }
    }
  }
}

/**
 * out[c] = Σ_r x[r, c] for an [rows, channels] matrix, channels a multiple of 4 (the bias gradient). One pass over x
 * in memory order; the running sums are float64 (so long reductions stay as exact as the cpu backend's) in
 * `scratch` (channels doubles, small enough to stay in L1).
 */
export function sumRows(x: usize, out: usize, scratch: usize, rows: i32, channels: i32): void {
  const rowBytes = <usize>channels * FLOAT;
  memory.fill(scratch, 0, rowBytes * 2);
  let p = x;
  for (let r = 0; r < rows; r++) {
    let acc = scratch;
    for (let c: usize = 0; c < rowBytes; c += 16) {
      const value = v128.load(p + c);
      const high = i64x2.shuffle(value, value, 1, 1);
      v128.store(acc, f64x2.add(v128.load(acc), f64x2.promote_low_f32x4(value)));
      v128.store(acc, f64x2.add(v128.load(acc, 16), f64x2.promote_low_f32x4(high)), 16);
      acc += 32;
    }
    p += rowBytes;
  }
  let acc = scratch;
  for (let c: usize = 0; c < rowBytes; c += 16) {
    const low = f32x4.demote_f64x2_zero(v128.load(acc));
    const high = f32x4.demote_f64x2_zero(v128.load(acc, 16));
    v128.store(out + c, i64x2.shuffle(low, high, 0, 2));
    acc += 32;
  }
}

/**
 * A convolution with few output channels (any count), e.g. the input gradient of a first layer with 1 or 3 input
 * channels: each output is one long dot product, 4 lanes at a time. The filter comes as [Co, KH, KW, Ci]; x is
 * already padded; inChannels must be a multiple of 4. Output rows n·outHeight+oh in [rowFrom, rowTo).
 */
export function conv2dNarrow(
  x: usize, w: usize, y: usize,
  inHeight: i32, inWidth: i32, inChannels: i32,
  filterHeight: i32, filterWidth: i32, outChannels: i32,
  outHeight: i32, outWidth: i32, strideHeight: i32, strideWidth: i32,
  rowFrom: i32, rowTo: i32,
): void {
  const rowBytes = <usize>(inWidth * inChannels) * FLOAT;
  const pixelStep = <usize>(strideWidth * inChannels) * FLOAT;
  const tapBytes = <usize>(filterWidth * inChannels) * FLOAT;
  const filterBytes = <usize>filterHeight * tapBytes;
  let yp = y + <usize>(rowFrom * outWidth * outChannels) * FLOAT;
  for (let row = rowFrom; row < rowTo; row++) {
    const xRow = firstInputRow(x, row, outHeight, inHeight, strideHeight, rowBytes);
    for (let ow = 0; ow < outWidth; ow++) {
      const xPixel = xRow + <usize>ow * pixelStep;
      for (let co = 0; co < outChannels; co++) {
        let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0);
        let wp = w + <usize>co * filterBytes;
        for (let kh = 0; kh < filterHeight; kh++) {
          const xp = xPixel + <usize>kh * rowBytes;
          let offset: usize = 0;
          for (; offset + 32 <= tapBytes; offset += 32) {
            acc0 = f32x4.add(acc0, f32x4.mul(v128.load(xp + offset), v128.load(wp + offset)));
            acc1 = f32x4.add(acc1, f32x4.mul(v128.load(xp + offset, 16), v128.load(wp + offset, 16)));
          }
          if (offset < tapBytes) acc0 = f32x4.add(acc0, f32x4.mul(v128.load(xp + offset), v128.load(wp + offset)));
          wp += tapBytes;
        }
        const sum = f32x4.add(acc0, acc1);
        store<f32>(yp, f32x4.extract_lane(sum, 0) + f32x4.extract_lane(sum, 1) + f32x4.extract_lane(sum, 2) + f32x4.extract_lane(sum, 3));
        yp += FLOAT;
      }
    }
  }
}
