// Shared by the addon's kernels: the oneDNN engine and stream, and the argument helpers.
#pragma once
#include <dnnl.hpp>
#include <napi.h>

#include <cstdint>
#include <string>

namespace onednn_training {

dnnl::engine& cpuEngine();

// Compute convolutions and matmuls in bfloat16 (operands converted from float32 on the fly; float32 accumulation and
// outputs). Set from JavaScript (setBf16) by the precision policy; part of every primitive's cache key.
bool& bf16Mode();
// Run wide layers' backward passes on oneDNN's blocked layouts (see conv.cc); set from CNN_ONEDNN_BLOCKED_BACKWARD.
bool& blockedBackwardMode();

// A relu fused after the primitive when asked (oneDNN 3.x dropped the scale argument of append_eltwise).
inline dnnl::primitive_attr reluPostOpAttr(bool relu) {
  dnnl::primitive_attr attr;
  if (!relu) return attr;
  dnnl::post_ops ops;
#if DNNL_VERSION_MAJOR >= 3
  ops.append_eltwise(dnnl::algorithm::eltwise_relu, 0.f, 0.f);
#else
  ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
#endif
  attr.set_post_ops(ops);
  return attr;
}
dnnl::stream& cpuStream();

// One scratch buffer for the reordered (and, in bf16, converted) copies of operands, shared by every primitive: the
// calls run one at a time and no copy outlives its call. Returns its start, grown to at least `bytes` (contents are
// not kept when it grows).
char* scratchArena(size_t bytes);
// Copies start on cache-line (and AVX-512) boundaries.
constexpr size_t ARENA_ALIGNMENT = 64;
inline size_t alignedArenaSize(size_t bytes) {
  return (bytes + ARENA_ALIGNMENT - 1) / ARENA_ALIGNMENT * ARENA_ALIGNMENT;
}

// Where a call's copies go: the scratch the caller passed (a Float32Array of at least `bytes` + 64 bytes: a block of
// the wasm heap, so the copies take room the heap has anyway instead of adding their own), else the shared arena.
inline char* scratchFor(const Napi::Value& scratch, size_t bytes) {
  if (bytes == 0) return nullptr;
  if (scratch.IsTypedArray()) {
    auto view = scratch.As<Napi::Float32Array>();
    if (view.ByteLength() >= bytes + ARENA_ALIGNMENT) {
      const auto address = reinterpret_cast<uintptr_t>(view.Data());
      return reinterpret_cast<char*>((address + ARENA_ALIGNMENT - 1) / ARENA_ALIGNMENT * ARENA_ALIGNMENT);
    }
  }
  return scratchArena(bytes);
}
// The scratch bytes a convolution pass ('f', 'd', 'w' with convForward's dims) or a matmul (its dims) needs for its
// copies (creating its primitive if need be): what the caller passes as scratch.
size_t convScratchBytes(char kind, const int32_t* dims, bool withBias);
size_t matmulScratchBytes(const int32_t* dims);

// A Float32Array argument's data: a view of the wasm heap, never copied.
inline float* floatData(const Napi::Value& value) {
  return value.As<Napi::Float32Array>().Data();
}

// Null/undefined for an absent optional tensor (the bias).
inline float* optionalFloatData(const Napi::Value& value) {
  if (value.IsNull() || value.IsUndefined()) return nullptr;
  return floatData(value);
}

inline const int32_t* intData(const Napi::Value& value, size_t expected, const char* what) {
  auto array = value.As<Napi::Int32Array>();
  if (array.ElementLength() != expected) {
    throw Napi::Error::New(value.Env(), std::string(what) + ": wrong number of dims");
  }
  return array.Data();
}

// Cache key: the kernel kind plus its integer dims (primitive creation JIT-compiles code, so it is done once per shape).
inline std::string cacheKey(char kind, const int32_t* dims, size_t count) {
  std::string key(1, kind);
  key.append(reinterpret_cast<const char*>(dims), count * sizeof(int32_t));
  return key;
}

Napi::Value ConvForward(const Napi::CallbackInfo& info);
Napi::Value ConvBackwardData(const Napi::CallbackInfo& info);
Napi::Value ConvBackwardWeights(const Napi::CallbackInfo& info);
Napi::Value MatMul(const Napi::CallbackInfo& info);
Napi::Value MaxPoolForward(const Napi::CallbackInfo& info);
Napi::Value MaxPoolBackward(const Napi::CallbackInfo& info);
Napi::Value MaxPoolReluBackward(const Napi::CallbackInfo& info);
Napi::Value SumRows(const Napi::CallbackInfo& info);
Napi::Value AddBias(const Napi::CallbackInfo& info);
Napi::Value ReluBackwardBiasSum(const Napi::CallbackInfo& info);
Napi::Value RmspropMeanSquare(const Napi::CallbackInfo& info);
Napi::Value RmspropStep(const Napi::CallbackInfo& info);
Napi::Value ConvImplementations(const Napi::CallbackInfo& info);
// Null when bf16 convolutions (all three passes) and matmuls get optimised (non-reference) kernels here, else why not.
Napi::Value Bf16Support(const Napi::CallbackInfo& info);

}  // namespace onednn_training
