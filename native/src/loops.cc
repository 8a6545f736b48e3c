// Memory-bound training kernels written as plain loops (OpenMP over the batch or rows): max-pool backward, the
// bias-gradient sum, the bias add, the relu gradient with its bias gradient, and Keras' RMSprop. wasm's own versions
// of these were the bottlenecks once the convolutions ran in oneDNN.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "common.h"

namespace onednn_training {

namespace {

// Below this many elements a loop runs on the calling thread: waking OpenMP's sleeping thread costs more than the
// loop (a 64×10 bias sum takes ~5 µs on one thread).
constexpr int64_t PARALLEL_MIN_ELEMENTS = 1 << 15;

// Which of a 2×2 window's values (row-major) gets its gradient: tf's tie rule, the first maximum; NaN never wins
// (strict comparisons), so an all-NaN window answers -1.
inline int32_t windowWinner(float v0, float v1, float v2, float v3) {
  float best = -std::numeric_limits<float>::infinity();
  int32_t at = -1;
  if (v0 > best) { best = v0; at = 0; }
  if (v1 > best) { best = v1; at = 1; }
  if (v2 > best) { best = v2; at = 2; }
  if (v3 > best) { at = 3; }
  return at;
}

// tfjs' relu gradient mask, step(y): 1 where y > 0, NaN kept (so dy · step(y) is the same as tfjs' in every case).
inline float reluStep(float value) {
  return value > 0.f ? 1.f : (value != value ? value : 0.f);
}

// One image of the gradient of a 2×2, stride-2 max pool whose windows tile the input (the course's pools), written
// out: the four candidates of each channel compared in registers, which vectorises across channels (the general
// loop below keeps per-channel state in arrays and ran ~2.5× slower). Plain, dx = maxPoolGrad(dy). With Relu (a
// pool over a relu's output x), dz = maxPoolGrad(dy) · step(x), each factor as the two kernels compute it (the same
// numbers, signed zeros and NaNs included), and Σ dz per channel added to `partial` (float per row, then double).
template <bool Relu>
void maxPool2x2Image(const float* x, const float* dy, float* dx, int64_t b, int64_t h, int64_t w, int64_t c,
                     int64_t oh, int64_t ow, float* __restrict rowSum, double* partial) {
  const int64_t batchBase = b * h * w * c;
  // Positions no window covers (odd sizes) get no pool gradient: 0, or 0 · step(x).
  for (int64_t row = 0; row < h; row++) {
    const int64_t from = row < oh * 2 ? ow * 2 : 0;
    if constexpr (Relu) {
      std::fill(rowSum, rowSum + c, 0.f);
      for (int64_t col = from; col < w; col++) {
        const int64_t base = batchBase + (row * w + col) * c;
        for (int64_t ch = 0; ch < c; ch++) {
          dx[base + ch] = 0.f * reluStep(x[base + ch]);
          rowSum[ch] += dx[base + ch];
        }
      }
      for (int64_t ch = 0; ch < c; ch++) partial[ch] += rowSum[ch];
    } else {
      std::fill(dx + batchBase + (row * w + from) * c, dx + batchBase + (row + 1) * w * c, 0.f);
    }
  }
  for (int64_t r = 0; r < oh; r++) {
    if constexpr (Relu) std::fill(rowSum, rowSum + c, 0.f);
    for (int64_t q = 0; q < ow; q++) {
      const float* __restrict gradOut = dy + ((b * oh + r) * ow + q) * c;
      const int64_t topLeft = batchBase + (2 * r * w + 2 * q) * c;
      const float* __restrict v0 = x + topLeft;
      const float* __restrict v1 = v0 + c;
      const float* __restrict v2 = v0 + w * c;
      const float* __restrict v3 = v2 + c;
      float* __restrict g0 = dx + topLeft;
      float* __restrict g1 = g0 + c;
      float* __restrict g2 = g0 + w * c;
      float* __restrict g3 = g2 + c;
#pragma omp simd
      for (int64_t ch = 0; ch < c; ch++) {
        const int32_t at = windowWinner(v0[ch], v1[ch], v2[ch], v3[ch]);
        const float g = gradOut[ch];
        float z0 = at == 0 ? g : 0.f;
        float z1 = at == 1 ? g : 0.f;
        float z2 = at == 2 ? g : 0.f;
        float z3 = at == 3 ? g : 0.f;
        if constexpr (Relu) {
          z0 *= reluStep(v0[ch]);
          z1 *= reluStep(v1[ch]);
          z2 *= reluStep(v2[ch]);
          z3 *= reluStep(v3[ch]);
          rowSum[ch] += (z0 + z1) + (z2 + z3);
        }
        g0[ch] = z0;
        g1[ch] = z1;
        g2[ch] = z2;
        g3[ch] = z3;
      }
    }
    if constexpr (Relu) {
      for (int64_t ch = 0; ch < c; ch++) partial[ch] += rowSum[ch];
    }
  }
}

void maxPoolBackward2x2(const float* x, const float* dy, float* dx, int64_t n, int64_t h, int64_t w, int64_t c,
                        int64_t oh, int64_t ow) {
#pragma omp parallel for schedule(static) if (n * h * w * c >= PARALLEL_MIN_ELEMENTS)
  for (int64_t b = 0; b < n; b++) maxPool2x2Image<false>(x, dy, dx, b, h, w, c, oh, ow, nullptr, nullptr);
}

// Windows that tile the input without overlap or padding: every dx element belongs to at most one window, so each is
// written once (no zero fill, no scattered adds) and the channel loops vectorise.
void maxPoolBackwardTiled(const float* x, const float* dy, float* dx, int64_t n, int64_t h, int64_t w, int64_t c,
                          int64_t oh, int64_t ow, int64_t fh, int64_t fw) {
#pragma omp parallel if (n * h * w * c >= PARALLEL_MIN_ELEMENTS)
  {
    std::vector<float> bestStore(c);
    std::vector<int32_t> bestAtStore(c);
    float* __restrict best = bestStore.data();
    int32_t* __restrict bestAt = bestAtStore.data();
#pragma omp for schedule(static)
    for (int64_t b = 0; b < n; b++) {
      const int64_t batchBase = b * h * w * c;
      // Rows and columns no window covers (odd sizes) get no gradient.
      for (int64_t row = 0; row < h; row++) {
        const int64_t from = row < oh * fh ? ow * fw : 0;
        std::fill(dx + batchBase + (row * w + from) * c, dx + batchBase + (row + 1) * w * c, 0.f);
      }
      for (int64_t r = 0; r < oh; r++) {
        for (int64_t q = 0; q < ow; q++) {
          const float* __restrict gradOut = dy + ((b * oh + r) * ow + q) * c;
          for (int64_t ch = 0; ch < c; ch++) {
            best[ch] = -std::numeric_limits<float>::infinity();
            bestAt[ch] = -1;
          }
          for (int64_t i = 0; i < fh; i++) {
            for (int64_t j = 0; j < fw; j++) {
              const float* __restrict values = x + batchBase + ((r * fh + i) * w + q * fw + j) * c;
              const int32_t k = static_cast<int32_t>(i * fw + j);
              for (int64_t ch = 0; ch < c; ch++) {
                const bool greater = values[ch] > best[ch];
                best[ch] = greater ? values[ch] : best[ch];
                bestAt[ch] = greater ? k : bestAt[ch];
              }
            }
          }
          for (int64_t i = 0; i < fh; i++) {
            for (int64_t j = 0; j < fw; j++) {
              float* __restrict grads = dx + batchBase + ((r * fh + i) * w + q * fw + j) * c;
              const int32_t k = static_cast<int32_t>(i * fw + j);
              for (int64_t ch = 0; ch < c; ch++) grads[ch] = bestAt[ch] == k ? gradOut[ch] : 0.f;
            }
          }
        }
      }
    }
  }
}

}  // namespace

// maxPoolReluBackward(y, dy, dz, bias, dims [N, H, W, C, OH, OW]): for a 2×2, stride-2 max pool (no padding) over a
// relu's output y, the gradient reaching the relu's input, dz = maxPoolGrad(dy) · step(y) — each factor exactly as
// the two kernels compute it, so the same numbers, signed zeros and NaNs included — and bias[c] = Σ dz[..., c], the
// layer's bias gradient (float per output row, then double). One pass over y: the pool gradient is never stored.
Napi::Value MaxPoolReluBackward(const Napi::CallbackInfo& info) {
  const float* y = floatData(info[0]);
  const float* dy = floatData(info[1]);
  float* dz = floatData(info[2]);
  float* bias = floatData(info[3]);
  const int32_t* d = intData(info[4], 6, "maxPoolReluBackward");
  const int64_t n = d[0], h = d[1], w = d[2], c = d[3], oh = d[4], ow = d[5];
  std::vector<double> total(c, 0.0);
#pragma omp parallel if (n * h * w * c >= PARALLEL_MIN_ELEMENTS)
  {
    std::vector<double> partial(c, 0.0);
    std::vector<float> rowSum(c);
#pragma omp for schedule(static)
    for (int64_t b = 0; b < n; b++) maxPool2x2Image<true>(y, dy, dz, b, h, w, c, oh, ow, rowSum.data(), partial.data());
#pragma omp critical
    for (int64_t ch = 0; ch < c; ch++) total[ch] += partial[ch];
  }
  for (int64_t ch = 0; ch < c; ch++) bias[ch] = static_cast<float>(total[ch]);
  return info.Env().Undefined();
}

// maxPoolBackward(x, dy, dx, dims [N, H, W, C, OH, OW, FH, FW, SH, SW, PT, PL]): each output's gradient goes to the
// first maximum of its window in row-major order (tf's tie rule). Batches are independent, so they run in parallel.
Napi::Value MaxPoolBackward(const Napi::CallbackInfo& info) {
  const float* x = floatData(info[0]);
  const float* dy = floatData(info[1]);
  float* dx = floatData(info[2]);
  const int32_t* d = intData(info[3], 12, "maxPoolBackward");
  const int64_t n = d[0], h = d[1], w = d[2], c = d[3], oh = d[4], ow = d[5], fh = d[6], fw = d[7], sh = d[8],
                sw = d[9], pt = d[10], pl = d[11];
  if (fh == sh && fw == sw && pt == 0 && pl == 0 && oh * fh <= h && ow * fw <= w) {
    if (fh == 2 && fw == 2) {
      maxPoolBackward2x2(x, dy, dx, n, h, w, c, oh, ow);
    } else {
      maxPoolBackwardTiled(x, dy, dx, n, h, w, c, oh, ow, fh, fw);
    }
    return info.Env().Undefined();
  }
#pragma omp parallel if (n * h * w * c >= PARALLEL_MIN_ELEMENTS)
  {
    std::vector<float> best(c);
    std::vector<int64_t> bestAt(c);
#pragma omp for schedule(static)
    for (int64_t b = 0; b < n; b++) {
      const int64_t batchBase = b * h * w * c;
      std::fill(dx + batchBase, dx + batchBase + h * w * c, 0.f);
      const float* gradOut = dy + b * oh * ow * c;
      for (int64_t r = 0; r < oh; r++) {
        const int64_t rowStart = r * sh - pt;
        const int64_t rowFrom = std::max<int64_t>(0, rowStart), rowTo = std::min(h, rowStart + fh);
        for (int64_t q = 0; q < ow; q++, gradOut += c) {
          const int64_t colStart = q * sw - pl;
          const int64_t colFrom = std::max<int64_t>(0, colStart), colTo = std::min(w, colStart + fw);
          std::fill(best.begin(), best.end(), -std::numeric_limits<float>::infinity());
          std::fill(bestAt.begin(), bestAt.end(), -1);
          for (int64_t row = rowFrom; row < rowTo; row++) {
            for (int64_t col = colFrom; col < colTo; col++) {
              const int64_t base = batchBase + (row * w + col) * c;
              for (int64_t ch = 0; ch < c; ch++) {
                const float value = x[base + ch];
                if (value > best[ch]) {
                  best[ch] = value;
                  bestAt[ch] = base + ch;
                }
              }
            }
          }
          for (int64_t ch = 0; ch < c; ch++) {
            if (bestAt[ch] >= 0) dx[bestAt[ch]] += gradOut[ch];
          }
        }
      }
    }
  }
  return info.Env().Undefined();
}

// sumRows(x, out, rows, channels): out[c] = Σ_r x[r, c] (the bias gradient), in double per thread, then combined.
Napi::Value SumRows(const Napi::CallbackInfo& info) {
  const float* x = floatData(info[0]);
  float* out = floatData(info[1]);
  const int64_t rows = info[2].As<Napi::Number>().Int64Value();
  const int64_t channels = info[3].As<Napi::Number>().Int64Value();
  std::vector<double> total(channels, 0.0);
#pragma omp parallel if (rows * channels >= PARALLEL_MIN_ELEMENTS)
  {
    std::vector<double> partial(channels, 0.0);
    std::vector<float> block(channels);
    constexpr int64_t BLOCK_ROWS = 64;  // float sums over short runs vectorise; doubles keep long sums exact
#pragma omp for schedule(static)
    for (int64_t start = 0; start < rows; start += BLOCK_ROWS) {
      std::fill(block.begin(), block.end(), 0.f);
      const int64_t end = std::min(rows, start + BLOCK_ROWS);
      for (int64_t r = start; r < end; r++) {
        const float* row = x + r * channels;
        for (int64_t ch = 0; ch < channels; ch++) block[ch] += row[ch];
      }
      for (int64_t ch = 0; ch < channels; ch++) partial[ch] += block[ch];
    }
#pragma omp critical
    for (int64_t ch = 0; ch < channels; ch++) total[ch] += partial[ch];
  }
  for (int64_t ch = 0; ch < channels; ch++) out[ch] = static_cast<float>(total[ch]);
  return info.Env().Undefined();
}

// addBias(x, bias, out, rows, channels): out[r, c] = x[r, c] + bias[c] (a layer's bias, broadcast over rows).
Napi::Value AddBias(const Napi::CallbackInfo& info) {
  const float* x = floatData(info[0]);
  const float* bias = floatData(info[1]);
  float* out = floatData(info[2]);
  const int64_t rows = info[3].As<Napi::Number>().Int64Value();
  const int64_t channels = info[4].As<Napi::Number>().Int64Value();
#pragma omp parallel for schedule(static) if (rows * channels >= PARALLEL_MIN_ELEMENTS)
  for (int64_t r = 0; r < rows; r++) {
    const float* in = x + r * channels;
    float* result = out + r * channels;
    for (int64_t ch = 0; ch < channels; ch++) result[ch] = in[ch] + bias[ch];
  }
  return info.Env().Undefined();
}

// reluBackwardBiasSum(dy, y, out, bias, rows, channels): out = dy · step(y), tfjs' relu gradient (a Step, then a
// Multiply; step keeps NaN as tfjs' does, so the product is the same in every case), and bias[c] = Σ_r out[r, c] as
// sumRows sums (same blocks, float then double), in one pass: a layer's bias gradient without reading out again.
Napi::Value ReluBackwardBiasSum(const Napi::CallbackInfo& info) {
  const float* __restrict dy = floatData(info[0]);
  const float* __restrict y = floatData(info[1]);
  float* __restrict out = floatData(info[2]);
  float* bias = floatData(info[3]);
  const int64_t rows = info[4].As<Napi::Number>().Int64Value();
  const int64_t channels = info[5].As<Napi::Number>().Int64Value();
  std::vector<double> total(channels, 0.0);
#pragma omp parallel if (rows * channels >= PARALLEL_MIN_ELEMENTS)
  {
    std::vector<double> partial(channels, 0.0);
    std::vector<float> blockStore(channels);
    float* __restrict block = blockStore.data();
    constexpr int64_t BLOCK_ROWS = 64;
#pragma omp for schedule(static)
    for (int64_t start = 0; start < rows; start += BLOCK_ROWS) {
      std::fill(block, block + channels, 0.f);
      const int64_t end = std::min(rows, start + BLOCK_ROWS);
      for (int64_t r = start; r < end; r++) {
        const int64_t base = r * channels;
#pragma omp simd
        for (int64_t ch = 0; ch < channels; ch++) {
          const float gradient = dy[base + ch] * reluStep(y[base + ch]);
          out[base + ch] = gradient;
          block[ch] += gradient;
        }
      }
      for (int64_t ch = 0; ch < channels; ch++) partial[ch] += block[ch];
    }
#pragma omp critical
    for (int64_t ch = 0; ch < channels; ch++) total[ch] += partial[ch];
  }
  for (int64_t ch = 0; ch < channels; ch++) bias[ch] = static_cast<float>(total[ch]);
  return info.Env().Undefined();
}

}  // namespace onednn_training

namespace onednn_training {

// rmspropMeanSquare(ms, g, out, n, rho, oneMinusRho): out = ms·rho + g²·(1 − rho), Keras' RMSprop mean square. The
// same float32 operations in the same order as the optimizer's tfjs ops (no fused multiply-add), so the result is
// the same to the bit.
__attribute__((optimize("fp-contract=off"))) Napi::Value RmspropMeanSquare(const Napi::CallbackInfo& info) {
  const float* __restrict ms = floatData(info[0]);
  const float* __restrict g = floatData(info[1]);
  float* __restrict out = floatData(info[2]);
  const int64_t n = info[3].As<Napi::Number>().Int64Value();
  const float rho = info[4].As<Napi::Number>().FloatValue();
  const float oneMinusRho = info[5].As<Napi::Number>().FloatValue();
#pragma omp parallel for simd schedule(static) if (n >= PARALLEL_MIN_ELEMENTS)
  for (int64_t i = 0; i < n; i++) out[i] = ms[i] * rho + (g[i] * g[i]) * oneMinusRho;
  return info.Env().Undefined();
}

// rmspropStep(w, g, ms, out, n, learningRate, epsilon): out = w − (g·lr) / (√ms + ε), Keras' RMSprop update (no
// momentum, not centered), in the optimizer's order of float32 operations.
__attribute__((optimize("fp-contract=off"))) Napi::Value RmspropStep(const Napi::CallbackInfo& info) {
  const float* __restrict w = floatData(info[0]);
  const float* __restrict g = floatData(info[1]);
  const float* __restrict ms = floatData(info[2]);
  float* __restrict out = floatData(info[3]);
  const int64_t n = info[4].As<Napi::Number>().Int64Value();
  const float learningRate = info[5].As<Napi::Number>().FloatValue();
  const float epsilon = info[6].As<Napi::Number>().FloatValue();
#pragma omp parallel for simd schedule(static) if (n >= PARALLEL_MIN_ELEMENTS)
  for (int64_t i = 0; i < n; i++) out[i] = w[i] - (g[i] * learningRate) / (std::sqrt(ms[i]) + epsilon);
  return info.Env().Undefined();
}

}  // namespace onednn_training
