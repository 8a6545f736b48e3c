// N-API entry: oneDNN kernels that run on Float32Array views of the tfjs wasm backend's heap (see native/README.md).
#include <omp.h>

#include <cstdlib>
#include <memory>
#include <new>

#include "common.h"

namespace onednn_training {

dnnl::engine& cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpuStream() {
  static dnnl::stream stream(cpuEngine());
  return stream;
}

char* scratchArena(size_t bytes) {
  struct FreeAligned {
    void operator()(char* data) const { std::free(data); }
  };
  static std::unique_ptr<char, FreeAligned> arena;
  static size_t capacity = 0;
  if (bytes > capacity) {
    arena.reset();
    const size_t size = alignedArenaSize(bytes);
    arena.reset(static_cast<char*>(std::aligned_alloc(64, size)));
    if (!arena) throw std::bad_alloc();
    capacity = size;
  }
  return arena.get();
}

bool& bf16Mode() {
  static bool on = false;
  return on;
}

bool& blockedBackwardMode() {
  static bool on = false;
  return on;
}

static Napi::Value SetBf16(const Napi::CallbackInfo& info) {
  bf16Mode() = info[0].As<Napi::Boolean>().Value();
  return info.Env().Undefined();
}

static Napi::Value SetBlockedBackward(const Napi::CallbackInfo& info) {
  blockedBackwardMode() = info[0].As<Napi::Boolean>().Value();
  return info.Env().Undefined();
}

// scratchBytes(kind, dims, withBias): the scratch a call needs for its operand copies; kind "f", "d", "w" (a
// convolution pass, convForward's dims) or "m" (a matmul, its dims).
static Napi::Value ScratchBytes(const Napi::CallbackInfo& info) {
  const std::string kind = info[0].As<Napi::String>().Utf8Value();
  try {
    size_t bytes = 0;
    if (kind == "m") {
      bytes = matmulScratchBytes(intData(info[1], 9, "scratchBytes"));
    } else if (kind == "f" || kind == "d" || kind == "w") {
      bytes = convScratchBytes(kind[0], intData(info[1], 16, "scratchBytes"), info[2].ToBoolean().Value());
    } else {
      throw Napi::Error::New(info.Env(), "scratchBytes: kind must be f, d, w or m");
    }
    return Napi::Number::New(info.Env(), static_cast<double>(bytes));
  } catch (const dnnl::error& error) {
    throw Napi::Error::New(info.Env(), std::string("oneDNN: ") + error.what());
  }
}

static Napi::Value Version(const Napi::CallbackInfo& info) {
  const dnnl_version_t* version = dnnl_version();
  return Napi::String::New(info.Env(), std::to_string(version->major) + "." + std::to_string(version->minor) + "." +
                                           std::to_string(version->patch));
}

static Napi::Value Threads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), omp_get_max_threads());
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("version", Napi::Function::New(env, Version));
  exports.Set("threads", Napi::Function::New(env, Threads));
  exports.Set("convForward", Napi::Function::New(env, ConvForward));
  exports.Set("convBackwardData", Napi::Function::New(env, ConvBackwardData));
  exports.Set("convBackwardWeights", Napi::Function::New(env, ConvBackwardWeights));
  exports.Set("convImplementations", Napi::Function::New(env, ConvImplementations));
  exports.Set("scratchBytes", Napi::Function::New(env, ScratchBytes));
  exports.Set("matmul", Napi::Function::New(env, MatMul));
  exports.Set("maxPoolForward", Napi::Function::New(env, MaxPoolForward));
  exports.Set("maxPoolBackward", Napi::Function::New(env, MaxPoolBackward));
  exports.Set("maxPoolReluBackward", Napi::Function::New(env, MaxPoolReluBackward));
  exports.Set("sumRows", Napi::Function::New(env, SumRows));
  exports.Set("addBias", Napi::Function::New(env, AddBias));
  exports.Set("reluBackwardBiasSum", Napi::Function::New(env, ReluBackwardBiasSum));
  exports.Set("rmspropMeanSquare", Napi::Function::New(env, RmspropMeanSquare));
  exports.Set("rmspropStep", Napi::Function::New(env, RmspropStep));
  exports.Set("setBf16", Napi::Function::New(env, SetBf16));
  exports.Set("setBlockedBackward", Napi::Function::New(env, SetBlockedBackward));
  exports.Set("bf16Support", Napi::Function::New(env, Bf16Support));
  return exports;
}

NODE_API_MODULE(onednn_training, Init)

}  // namespace onednn_training
