// Max pooling forward with oneDNN (threaded; tfjs-backend-wasm's XNNPACK kernel runs on one thread). Activations stay
// NHWC. oneDNN 3.x dropped the 2.x operation descriptors: both APIs are handled.
#include <memory>
#include <unordered_map>

#include "common.h"

namespace onednn_training {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

constexpr size_t POOL_DIM_COUNT = 14;

struct PoolEntry {
  dnnl::pooling_forward primitive;
  memory::desc src, dst;
};

std::unordered_map<std::string, std::unique_ptr<PoolEntry>> cache;

// dims: [N, H, W, C, OH, OW, FH, FW, SH, SW, PT, PB, PL, PR]
PoolEntry* entryFor(const int32_t* d) {
  std::string key = cacheKey('p', d, POOL_DIM_COUNT);
  auto found = cache.find(key);
  if (found != cache.end()) return found->second.get();
  const memory::dim n = d[0], h = d[1], w = d[2], c = d[3], oh = d[4], ow = d[5];
  auto entry = std::make_unique<PoolEntry>();
  entry->src = memory::desc({n, c, h, w}, dt::f32, tag::nhwc);
  entry->dst = memory::desc({n, c, oh, ow}, dt::f32, tag::nhwc);
  const memory::dims kernel{d[6], d[7]}, strides{d[8], d[9]}, padLeft{d[10], d[12]}, padRight{d[11], d[13]};
  // Inference: no workspace (the gradient is taken by maxPoolBackward, which finds each window's maximum itself).
#if DNNL_VERSION_MAJOR >= 3
  dnnl::pooling_forward::primitive_desc pd(cpuEngine(), dnnl::prop_kind::forward_inference, dnnl::algorithm::pooling_max,
                                           entry->src, entry->dst, strides, kernel, memory::dims{0, 0}, padLeft, padRight);
#else
  dnnl::pooling_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::pooling_max, entry->src, entry->dst,
                                   strides, kernel, padLeft, padRight);
  dnnl::pooling_forward::primitive_desc pd(desc, cpuEngine());
#endif
  entry->primitive = dnnl::pooling_forward(pd);
  PoolEntry* raw = entry.get();
  cache.emplace(key, std::move(entry));
  return raw;
}

}  // namespace

// maxPoolForward(x, y, dims [N, H, W, C, OH, OW, FH, FW, SH, SW, padTop, padBottom, padLeft, padRight]): padded
// positions never win, as in tfjs.
Napi::Value MaxPoolForward(const Napi::CallbackInfo& info) {
  try {
    const int32_t* dims = intData(info[2], POOL_DIM_COUNT, "maxPoolForward");
    PoolEntry* entry = entryFor(dims);
    entry->primitive.execute(cpuStream(), {{DNNL_ARG_SRC, memory(entry->src, cpuEngine(), floatData(info[0]))},
                                           {DNNL_ARG_DST, memory(entry->dst, cpuEngine(), floatData(info[1]))}});
    cpuStream().wait();
  } catch (const dnnl::error& error) {
    throw Napi::Error::New(info.Env(), std::string("oneDNN: ") + error.what());
  }
  return info.Env().Undefined();
}

}  // namespace onednn_training
