// Batched matrix product with oneDNN: transposed operands are described by strides (no copies), a batch of 1 on
// either side broadcasts, and a bias plus relu can be fused.
#include <memory>
#include <unordered_map>

#include "common.h"

namespace onednn_training {

using dnnl::memory;
using dt = memory::data_type;

namespace {

constexpr size_t MATMUL_DIM_COUNT = 9;

// In bf16 mode the primitive reads bfloat16 copies of a and b (same strides), converted per call by cached reorders
// into the caller's scratch or the shared arena (scratchFor, common.h); c and the bias stay float32.
struct MatMulEntry {
  dnnl::matmul primitive;
  memory::desc a, b, bias, c;
  bool bf16 = false;
  memory::desc aLow, bLow;
  size_t bLowOffset = 0, arenaBytes = 0;
  dnnl::reorder toLowA, toLowB;
};

std::unordered_map<std::string, std::unique_ptr<MatMulEntry>> cache;

// dims: [batchA, batchB, M, K, N, transposeA, transposeB, relu, hasBias]
MatMulEntry* entryFor(const int32_t* d) {
  int32_t keyDims[MATMUL_DIM_COUNT + 1];
  std::copy(d, d + MATMUL_DIM_COUNT, keyDims);
  keyDims[MATMUL_DIM_COUNT] = bf16Mode() ? 1 : 0;
  std::string key = cacheKey('m', keyDims, MATMUL_DIM_COUNT + 1);
  auto found = cache.find(key);
  if (found != cache.end()) return found->second.get();
  const memory::dim batchA = d[0], batchB = d[1], m = d[2], k = d[3], n = d[4];
  const bool transposeA = d[5] == 1, transposeB = d[6] == 1, relu = d[7] == 1, hasBias = d[8] == 1;
  const memory::dim batch = std::max(batchA, batchB);
  auto entry = std::make_unique<MatMulEntry>();
  entry->a = memory::desc({batchA, m, k}, dt::f32, transposeA ? memory::dims{m * k, 1, m} : memory::dims{m * k, k, 1});
  entry->b = memory::desc({batchB, k, n}, dt::f32, transposeB ? memory::dims{k * n, 1, k} : memory::dims{k * n, n, 1});
  entry->c = memory::desc({batch, m, n}, dt::f32, memory::dims{m * n, n, 1});
  entry->bias = hasBias ? memory::desc({1, 1, n}, dt::f32, memory::dims{n, n, 1}) : memory::desc();
  const dnnl::primitive_attr attr = reluPostOpAttr(relu);
  auto primitiveDesc = [&](const memory::desc& a, const memory::desc& b) {
#if DNNL_VERSION_MAJOR >= 3
    return dnnl::matmul::primitive_desc(cpuEngine(), a, b, entry->bias, entry->c, attr);
#else
    auto desc = hasBias ? dnnl::matmul::desc(a, b, entry->bias, entry->c) : dnnl::matmul::desc(a, b, entry->c);
    return dnnl::matmul::primitive_desc(desc, attr, cpuEngine());
#endif
  };
  auto pd = primitiveDesc(entry->a, entry->b);
  if (bf16Mode()) {
    const memory::desc a(entry->a.dims(), dt::bf16, transposeA ? memory::dims{m * k, 1, m} : memory::dims{m * k, k, 1});
    const memory::desc b(entry->b.dims(), dt::bf16, transposeB ? memory::dims{k * n, 1, k} : memory::dims{k * n, n, 1});
    auto low = primitiveDesc(a, b);
    // A shape with only oneDNN's reference bf16 kernel stays float32 (the reference kernel is many times slower).
    if (std::string(low.impl_info_str()).find("ref") == std::string::npos) {
      pd = low;
      entry->bf16 = true;
      entry->aLow = a;
      entry->bLow = b;
      entry->bLowOffset = alignedArenaSize(a.get_size());
      entry->arenaBytes = entry->bLowOffset + alignedArenaSize(b.get_size());
      entry->toLowA = dnnl::reorder(dnnl::reorder::primitive_desc(cpuEngine(), entry->a, cpuEngine(), a));
      entry->toLowB = dnnl::reorder(dnnl::reorder::primitive_desc(cpuEngine(), entry->b, cpuEngine(), b));
    }
  }
  entry->primitive = dnnl::matmul(pd);
  MatMulEntry* raw = entry.get();
  cache.emplace(key, std::move(entry));
  return raw;
}

}  // namespace

size_t matmulScratchBytes(const int32_t* dims) {
  return entryFor(dims)->arenaBytes;
}

// matmul(a, b, bias | null, c, dims, scratch?)
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  try {
    const int32_t* dims = intData(info[4], MATMUL_DIM_COUNT, "matmul");
    MatMulEntry* entry = entryFor(dims);
    memory a(entry->a, cpuEngine(), floatData(info[0]));
    memory b(entry->b, cpuEngine(), floatData(info[1]));
    if (entry->bf16) {
      char* arena = scratchFor(info[5], entry->arenaBytes);
      memory aLow(entry->aLow, cpuEngine(), arena);
      memory bLow(entry->bLow, cpuEngine(), arena + entry->bLowOffset);
      entry->toLowA.execute(cpuStream(), a, aLow);
      entry->toLowB.execute(cpuStream(), b, bLow);
      a = aLow;
      b = bLow;
    }
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, a},
                                         {DNNL_ARG_WEIGHTS, b},
                                         {DNNL_ARG_DST, memory(entry->c, cpuEngine(), floatData(info[3]))}};
    float* bias = optionalFloatData(info[2]);
    if (bias != nullptr) args.emplace(DNNL_ARG_BIAS, memory(entry->bias, cpuEngine(), bias));
    entry->primitive.execute(cpuStream(), args);
    cpuStream().wait();
  } catch (const dnnl::error& error) {
    throw Napi::Error::New(info.Env(), std::string("oneDNN: ") + error.what());
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(info.Env(), "out of memory for the matmul's bfloat16 copies");
  }
  return info.Env().Undefined();
}

}  // namespace onednn_training
