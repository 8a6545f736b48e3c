// Convolution forward (bias and relu fused), backward-data and backward-weights with oneDNN. Activations stay NHWC
// and filters HWIO (tfjs' layouts); oneDNN picks its own weight layout ("any") and the filter is reordered per call,
// which is cheap next to the convolution. oneDNN 3.x dropped the 2.x operation descriptors: both APIs are handled.
#include <memory>
#include <unordered_map>

#include "common.h"

namespace onednn_training {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

constexpr size_t CONV_DIM_COUNT = 16;

struct ConvShape {
  memory::dim n, h, w, c, kh, kw, o, oh, ow, sh, sw, pt, pb, pl, pr;
  bool relu;
  // Let oneDNN choose the activations' layout too (blocked formats; the caller reorders from/to NHWC).
  bool anyActivations = false;
  // Operands the convolution reads in bfloat16 (converted from the user's float32 by the operand's reorder);
  // outputs, gradients of weights and biases stay float32.
  bool bf16 = false;
  explicit ConvShape(const int32_t* d)
      : n(d[0]), h(d[1]), w(d[2]), c(d[3]), kh(d[4]), kw(d[5]), o(d[6]), oh(d[7]), ow(d[8]), sh(d[9]), sw(d[10]),
        pt(d[11]), pb(d[12]), pl(d[13]), pr(d[14]), relu(d[15] == 1) {}
  dt low() const { return bf16 ? dt::bf16 : dt::f32; }
  memory::desc src(dt type = dt::f32) const { return memory::desc({n, c, h, w}, type, anyActivations ? tag::any : tag::nhwc); }
  memory::desc dst(dt type = dt::f32) const { return memory::desc({n, o, oh, ow}, type, anyActivations ? tag::any : tag::nhwc); }
  memory::desc userSrc() const { return memory::desc({n, c, h, w}, dt::f32, tag::nhwc); }
  memory::desc userDst() const { return memory::desc({n, o, oh, ow}, dt::f32, tag::nhwc); }
  memory::desc userWeights() const { return memory::desc({o, c, kh, kw}, dt::f32, tag::hwio); }
  memory::desc anyWeights(dt type = dt::f32) const { return memory::desc({o, c, kh, kw}, type, tag::any); }
  memory::desc bias() const { return memory::desc({o}, dt::f32, tag::x); }
  memory::dims strides() const { return {sh, sw}; }
  memory::dims padLeft() const { return {pt, pl}; }
  memory::dims padRight() const { return {pb, pr}; }
};

// dstType: float32 for the forward pass the course runs; the low type for the hint the backward passes take.
dnnl::convolution_forward::primitive_desc forwardPd(const ConvShape& s, bool withBias, dt dstType = dt::f32) {
  dnnl::primitive_attr attr = reluPostOpAttr(s.relu);
#if DNNL_VERSION_MAJOR >= 3
  return dnnl::convolution_forward::primitive_desc(cpuEngine(), dnnl::prop_kind::forward_training,
                                                   dnnl::algorithm::convolution_direct, s.src(s.low()),
                                                   s.anyWeights(s.low()), withBias ? s.bias() : memory::desc(),
                                                   s.dst(dstType), s.strides(), s.padLeft(), s.padRight(), attr);
#else
  auto desc = withBias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training,
                                                         dnnl::algorithm::convolution_direct, s.src(s.low()),
                                                         s.anyWeights(s.low()), s.bias(), s.dst(dstType), s.strides(),
                                                         s.padLeft(), s.padRight())
                       : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training,
                                                         dnnl::algorithm::convolution_direct, s.src(s.low()),
                                                         s.anyWeights(s.low()), s.dst(dstType), s.strides(),
                                                         s.padLeft(), s.padRight());
  return dnnl::convolution_forward::primitive_desc(desc, attr, cpuEngine());
#endif
}

// In bf16: diff_dst and weights bf16, diff_src float32.
dnnl::convolution_backward_data::primitive_desc backwardDataPd(const ConvShape& s) {
  auto hint = forwardPd(ConvShape(s), false, s.low());
#if DNNL_VERSION_MAJOR >= 3
  return dnnl::convolution_backward_data::primitive_desc(cpuEngine(), dnnl::algorithm::convolution_direct, s.src(),
                                                         s.anyWeights(s.low()), s.dst(s.low()), s.strides(),
                                                         s.padLeft(), s.padRight(), hint);
#else
  dnnl::convolution_backward_data::desc desc(dnnl::algorithm::convolution_direct, s.src(), s.anyWeights(s.low()),
                                             s.dst(s.low()), s.strides(), s.padLeft(), s.padRight());
  return dnnl::convolution_backward_data::primitive_desc(desc, cpuEngine(), hint);
#endif
}

// In bf16: src and diff_dst bf16, diff_weights float32.
dnnl::convolution_backward_weights::primitive_desc backwardWeightsPd(const ConvShape& s) {
  auto hint = forwardPd(s, false, s.low());
#if DNNL_VERSION_MAJOR >= 3
  return dnnl::convolution_backward_weights::primitive_desc(cpuEngine(), dnnl::algorithm::convolution_direct,
                                                            s.src(s.low()), s.anyWeights(), s.dst(s.low()),
                                                            s.strides(), s.padLeft(), s.padRight(), hint);
#else
  dnnl::convolution_backward_weights::desc desc(dnnl::algorithm::convolution_direct, s.src(s.low()), s.anyWeights(),
                                                s.dst(s.low()), s.strides(), s.padLeft(), s.padRight());
  return dnnl::convolution_backward_weights::primitive_desc(desc, cpuEngine(), hint);
#endif
}

// An operand whose layout (or, in bf16, type) in oneDNN differs from the user's (NHWC activations, HWIO filters): a
// cached reorder converts between the user's heap view and a copy in the call's scratch (scratchFor, common.h: the
// caller's block of the wasm heap, else the shared arena), at an offset fixed when the entry is made. No copy outlives
// its call, so no entry keeps buffers of its own (per-entry buffers held ~95 MB of bf16 copies on cats/dogs).
struct Operand {
  bool reorder = false;
  memory::desc user;
  memory::desc internal;
  size_t offset = 0;
  dnnl::reorder convert;

  // Places the copy at `arenaBytes` (when one is needed) and returns where the next operand's copy may start.
  size_t prepare(const memory::desc& userDesc, const memory::desc& primitiveDesc, bool isInput, size_t arenaBytes) {
    user = userDesc;
    reorder = primitiveDesc != userDesc;
    if (!reorder) return arenaBytes;
    internal = primitiveDesc;
    offset = arenaBytes;
    convert = dnnl::reorder(isInput ? dnnl::reorder::primitive_desc(cpuEngine(), userDesc, cpuEngine(), primitiveDesc)
                                    : dnnl::reorder::primitive_desc(cpuEngine(), primitiveDesc, cpuEngine(), userDesc));
    return alignedArenaSize(offset + internal.get_size());
  }
  memory copy(char* scratch) const { return memory(internal, cpuEngine(), scratch + offset); }
  // The memory the primitive reads: the user's data itself, or its reordered copy in `scratch`.
  memory input(float* data, char* scratch) {
    memory userMemory(user, cpuEngine(), data);
    if (!reorder) return userMemory;
    memory converted = copy(scratch);
    convert.execute(cpuStream(), userMemory, converted);
    return converted;
  }
  // The memory the primitive writes; call `finish` afterwards to bring it to the user's layout.
  memory output(float* data, char* scratch) { return reorder ? copy(scratch) : memory(user, cpuEngine(), data); }
  void finish(float* data, char* scratch) {
    if (!reorder) return;
    memory userMemory(user, cpuEngine(), data);
    memory converted = copy(scratch);
    convert.execute(cpuStream(), converted, userMemory);
  }
};

// One cached primitive and its operands: [0] activations in (src or diff_dst), [1] weights, [2] second activation
// (diff_dst for backward-weights) or output activation (diff_src for backward-data); and the arena bytes its
// operands' copies need together.
struct ConvEntry {
  dnnl::primitive primitive;
  std::string implementation;
  Operand operands[3];
  size_t arenaBytes = 0;

  void prepare(const memory::desc (&user)[3], const memory::desc (&primitive)[3], const bool (&isInput)[3]) {
    for (int i = 0; i < 3; i++) arenaBytes = operands[i].prepare(user[i], primitive[i], isInput[i], arenaBytes);
  }
};

std::unordered_map<std::string, std::unique_ptr<ConvEntry>> cache;

// Backward passes of layers with many input channels may run on oneDNN's blocked layouts (CNN_ONEDNN_BLOCKED_BACKWARD,
// off by default: measured no faster than NHWC for the course's models once conv+bias+relu is one kernel, and its
// persistent reordered copies cost memory); a first layer (few channels, large images) never is.
constexpr memory::dim BLOCKED_MIN_CHANNELS = 16;

bool blockedBackward(const ConvShape& s) {
  return blockedBackwardMode() && s.c >= BLOCKED_MIN_CHANNELS && s.o >= BLOCKED_MIN_CHANNELS;
}

// Where bf16 pays. Measured per pass with the addon alone (quiet machine), converting to bf16 costs more than its
// products save for layers with few input channels (a first layer's filter gradient: 150×150×3→32 9.9 ms in bf16
// against 6.8 in float32; 28×28×1→32 0.75 against 0.17) and for small maps (MNIST's 3×3 output: 1.08 against 0.54):
// such layers compute in float32, all three passes.
constexpr memory::dim BF16_MIN_INPUT_CHANNELS = 16;
constexpr memory::dim BF16_MIN_OUTPUT_POSITIONS = 64;

bool bf16Pays(const ConvShape& s) {
  return s.c >= BF16_MIN_INPUT_CHANNELS && s.oh * s.ow >= BF16_MIN_OUTPUT_POSITIONS;
}

// The implementation oneDNN picks for a pass (with the layouts entryFor would ask for).
std::string implementationName(char kind, ConvShape s, bool withBias) {
  if (kind == 'f') return forwardPd(s, withBias).impl_info_str();
  s.anyActivations = blockedBackward(s);
  return kind == 'd' ? backwardDataPd(s).impl_info_str() : backwardWeightsPd(s).impl_info_str();
}

ConvEntry* entryFor(char kind, const int32_t* dims, bool withBias) {
  int32_t keyDims[CONV_DIM_COUNT + 3];
  std::copy(dims, dims + CONV_DIM_COUNT, keyDims);
  keyDims[CONV_DIM_COUNT] = withBias ? 1 : 0;
  keyDims[CONV_DIM_COUNT + 1] = bf16Mode() ? 1 : 0;
  keyDims[CONV_DIM_COUNT + 2] = blockedBackwardMode() ? 1 : 0;
  std::string key = cacheKey(kind, keyDims, CONV_DIM_COUNT + 3);
  auto found = cache.find(key);
  if (found != cache.end()) return found->second.get();
  ConvShape s(dims);
  s.bf16 = bf16Mode();
  const char* float32Reason = nullptr;
  if (s.bf16 && !bf16Pays(s)) {
    s.bf16 = false;
    float32Reason = "few input channels or output positions";
  }
  // oneDNN has no optimised bf16 kernel for some shapes (a first layer's filter gradient with one input channel):
  // its reference kernel is many times slower than float32, so such a pass stays float32.
  if (s.bf16 && implementationName(kind, s, withBias).find("ref") != std::string::npos) {
    s.bf16 = false;
    float32Reason = "no bf16 kernel for this shape";
  }
  auto entry = std::make_unique<ConvEntry>();
  if (kind == 'f') {
    // Forward stays on NHWC: measured faster here than blocked layouts plus reorders (brgconv handles NHWC well).
    auto pd = forwardPd(s, withBias);
    entry->implementation = pd.impl_info_str();
    entry->prepare({s.userSrc(), s.userWeights(), s.userDst()}, {pd.src_desc(), pd.weights_desc(), pd.dst_desc()}, {true, true, false});
    entry->primitive = dnnl::convolution_forward(pd);
  } else if (kind == 'd') {
    s.anyActivations = blockedBackward(s);
    auto pd = backwardDataPd(s);
    entry->implementation = pd.impl_info_str();
    entry->prepare({s.userDst(), s.userWeights(), s.userSrc()}, {pd.diff_dst_desc(), pd.weights_desc(), pd.diff_src_desc()},
                   {true, true, false});
    entry->primitive = dnnl::convolution_backward_data(pd);
  } else {
    s.anyActivations = blockedBackward(s);
    auto pd = backwardWeightsPd(s);
    entry->implementation = pd.impl_info_str();
    entry->prepare({s.userSrc(), s.userWeights(), s.userDst()}, {pd.src_desc(), pd.diff_weights_desc(), pd.diff_dst_desc()},
                   {true, false, true});
    entry->primitive = dnnl::convolution_backward_weights(pd);
  }
  if (bf16Mode()) entry->implementation += s.bf16 ? " (bf16)" : std::string(" (f32: ") + float32Reason + ")";
  ConvEntry* raw = entry.get();
  cache.emplace(key, std::move(entry));
  return raw;
}

template <typename Body>
Napi::Value guarded(const Napi::CallbackInfo& info, Body body) {
  try {
    body();
  } catch (const dnnl::error& error) {
    throw Napi::Error::New(info.Env(), std::string("oneDNN: ") + error.what());
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(info.Env(), "out of memory for the convolution's operand copies");
  }
  return info.Env().Undefined();
}

}  // namespace

size_t convScratchBytes(char kind, const int32_t* dims, bool withBias) {
  return entryFor(kind, dims, withBias)->arenaBytes;
}

// convForward(x, w, bias | null, y, dims, scratch?)
Napi::Value ConvForward(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int32_t* dims = intData(info[4], CONV_DIM_COUNT, "convForward");
    ConvShape s(dims);
    float* bias = optionalFloatData(info[2]);
    ConvEntry* entry = entryFor('f', dims, bias != nullptr);
    char* scratch = scratchFor(info[5], entry->arenaBytes);
    float* y = floatData(info[3]);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, entry->operands[0].input(floatData(info[0]), scratch)},
                                         {DNNL_ARG_WEIGHTS, entry->operands[1].input(floatData(info[1]), scratch)},
                                         {DNNL_ARG_DST, entry->operands[2].output(y, scratch)}};
    if (bias != nullptr) args.emplace(DNNL_ARG_BIAS, memory(s.bias(), cpuEngine(), bias));
    entry->primitive.execute(cpuStream(), args);
    entry->operands[2].finish(y, scratch);
    cpuStream().wait();
  });
}

// convBackwardData(dy, w, dx, dims, scratch?)
Napi::Value ConvBackwardData(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int32_t* dims = intData(info[3], CONV_DIM_COUNT, "convBackwardData");
    ConvEntry* entry = entryFor('d', dims, false);
    char* scratch = scratchFor(info[4], entry->arenaBytes);
    float* dx = floatData(info[2]);
    entry->primitive.execute(cpuStream(), {{DNNL_ARG_DIFF_DST, entry->operands[0].input(floatData(info[0]), scratch)},
                                           {DNNL_ARG_WEIGHTS, entry->operands[1].input(floatData(info[1]), scratch)},
                                           {DNNL_ARG_DIFF_SRC, entry->operands[2].output(dx, scratch)}});
    entry->operands[2].finish(dx, scratch);
    cpuStream().wait();
  });
}

// convBackwardWeights(x, dy, dw, dims, scratch?)
Napi::Value ConvBackwardWeights(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int32_t* dims = intData(info[3], CONV_DIM_COUNT, "convBackwardWeights");
    ConvEntry* entry = entryFor('w', dims, false);
    char* scratch = scratchFor(info[4], entry->arenaBytes);
    float* dw = floatData(info[2]);
    entry->primitive.execute(cpuStream(), {{DNNL_ARG_SRC, entry->operands[0].input(floatData(info[0]), scratch)},
                                           {DNNL_ARG_DIFF_DST, entry->operands[2].input(floatData(info[1]), scratch)},
                                           {DNNL_ARG_DIFF_WEIGHTS, entry->operands[1].output(dw, scratch)}});
    entry->operands[1].finish(dw, scratch);
    cpuStream().wait();
  });
}

// bf16Support(): null when oneDNN has optimised bf16 kernels here for all three convolution passes and matmul (a
// small probe shape), else the reason: the CPU lacks AVX512-BF16/AMX, or this oneDNN only has reference kernels.
Napi::Value Bf16Support(const Napi::CallbackInfo& info) {
  std::string problem;
  try {
    // 1 image 8×8×16 → 16 channels, 3×3, valid.
    const int32_t probe[CONV_DIM_COUNT] = {1, 8, 8, 16, 3, 3, 16, 6, 6, 1, 1, 0, 0, 0, 0, 0};
    ConvShape s(probe);
    s.bf16 = true;
    const std::string names[3] = {forwardPd(s, true).impl_info_str(), backwardDataPd(s).impl_info_str(),
                                  backwardWeightsPd(s).impl_info_str()};
    const char* passes[3] = {"forward", "backward-data", "backward-weights"};
    for (int pass = 0; pass < 3 && problem.empty(); pass++) {
      if (names[pass].find("ref") != std::string::npos) {
        problem = std::string("oneDNN has only a reference bf16 convolution ") + passes[pass] + " kernel here (" +
                  names[pass] + "; needs AVX512-BF16 or AMX)";
      }
    }
    if (problem.empty()) {
      memory::desc a({1, 8, 16}, dt::bf16, memory::dims{128, 16, 1});
      memory::desc b({1, 16, 16}, dt::bf16, memory::dims{256, 16, 1});
      memory::desc c({1, 8, 16}, dt::f32, memory::dims{128, 16, 1});
#if DNNL_VERSION_MAJOR >= 3
      dnnl::matmul::primitive_desc pd(cpuEngine(), a, b, c);
#else
      dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, c), cpuEngine());
#endif
      const std::string name = pd.impl_info_str();
      if (name.find("ref") != std::string::npos) {
        problem = "oneDNN has only a reference bf16 matmul kernel here (" + name + ")";
      }
    }
  } catch (const dnnl::error& error) {
    problem = std::string("oneDNN cannot create bf16 primitives here: ") + error.what();
  }
  if (problem.empty()) return info.Env().Null();
  return Napi::String::New(info.Env(), problem);
}

// convImplementations(): oneDNN's implementation name for every cached primitive (for the bench's profile).
Napi::Value ConvImplementations(const Napi::CallbackInfo& info) {
  auto result = Napi::Array::New(info.Env());
  uint32_t index = 0;
  for (const auto& [key, entry] : cache) {
    result.Set(index++, Napi::String::New(info.Env(), std::string(1, key[0]) + ":" + entry->implementation));
  }
  return result;
}

}  // namespace onednn_training
