// Equimol native kernels: single-precision matrix products through OpenBLAS (cblas_sgemm), exported to Node / Electron
// with plain Node-API (ABI-stable: one build serves every Node and Electron of the same platform and architecture).
//
// sgemm(a, b, out, batch, m, n, k, transA, transB, aBatchStride, bBatchStride)
//   For each i in [0, batch): out[i] = op(A_i) · op(B_i), row-major, with
//     A_i = a[i * aBatchStride ...], op(A_i) = A_i ([m, k]) or A_iᵀ (A_i stored [k, m]) when transA;
//     B_i = b[i * bBatchStride ...], op(B_i) = B_i ([k, n]) or B_iᵀ (B_i stored [n, k]) when transB;
//     out[i] = out[i * m * n ...], [m, n]. A stride of 0 broadcasts one matrix over the batch.
//   a, b, out are Float32Array views (the tfjs-wasm heap, zero-copy). Lengths are validated; bad arguments throw a
//   JS TypeError / RangeError, never touch memory outside the views.
// setThreads(n): openblas_set_num_threads(n). threads(): openblas_get_num_threads().
// setKernelThreads(n) / kernelThreads(): the std::threads the fused kernels (cgScatter, channelProduct, linearMaps) are told to use
//   by their callers (core/engine/backend/native-*.ts), apart from OpenBLAS's: on this workload's small products two
//   OpenBLAS threads were slower than one (busy-waiting threads take the core the fused kernels' second thread needs).
#include <node_api.h>
#include <cblas.h>

#include "cg-scatter.h"
#include "channel-product.h"
#include "egnn-denoiser.h"
#include "linear-maps.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

extern "C" {
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
}

namespace {

// Throws a JS error (when none is pending) and returns nullptr, the value N-API callbacks return on failure.
napi_value Throw(napi_env env, const std::string& message, bool range = false) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    if (range) napi_throw_range_error(env, nullptr, message.c_str());
    else napi_throw_type_error(env, nullptr, message.c_str());
  }
  return nullptr;
}

struct FloatView {
  float* data = nullptr;
  size_t length = 0;
};

bool GetFloat32Array(napi_env env, napi_value value, const char* name, FloatView* view) {
  bool is_typed_array = false;
  if (napi_is_typedarray(env, value, &is_typed_array) != napi_ok || !is_typed_array) {
    Throw(env, std::string("sgemm: ") + name + " must be a Float32Array");
    return false;
  }
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value buffer;
  size_t byte_offset = 0;
  if (napi_get_typedarray_info(env, value, &type, &length, &data, &buffer, &byte_offset) != napi_ok ||
      type != napi_float32_array) {
    Throw(env, std::string("sgemm: ") + name + " must be a Float32Array");
    return false;
  }
  if (length > 0 && data == nullptr) {
    Throw(env, std::string("sgemm: ") + name + " has no data (detached buffer?)");
    return false;
  }
  view->data = static_cast<float*>(data);
  view->length = length;
  return true;
}

// A non-negative integer below 2^31 (BLAS dimensions are int).
bool GetDimension(napi_env env, napi_value value, const char* name, int64_t* out) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_number) {
    Throw(env, std::string("sgemm: ") + name + " must be a number");
    return false;
  }
  double x = 0;
  napi_get_value_double(env, value, &x);
  if (!std::isfinite(x) || x < 0 || x != std::floor(x) || x > 2147483647.0) {
    Throw(env, std::string("sgemm: ") + name + " must be a non-negative integer below 2^31, got " + std::to_string(x),
          true);
    return false;
  }
  *out = static_cast<int64_t>(x);
  return true;
}

bool GetFlag(napi_env env, napi_value value, const char* name, bool* out) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_boolean) {
    Throw(env, std::string("sgemm: ") + name + " must be a boolean");
    return false;
  }
  napi_get_value_bool(env, value, out);
  return true;
}

napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value args[11];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  if (argc != 11) {
    return Throw(env, "sgemm(a, b, out, batch, m, n, k, transA, transB, aBatchStride, bBatchStride) takes 11 arguments, got " +
                          std::to_string(argc));
  }
  FloatView a, b, out;
  int64_t batch, m, n, k, a_stride, b_stride;
  bool trans_a, trans_b;
  if (!GetFloat32Array(env, args[0], "a", &a) || !GetFloat32Array(env, args[1], "b", &b) ||
      !GetFloat32Array(env, args[2], "out", &out) || !GetDimension(env, args[3], "batch", &batch) ||
      !GetDimension(env, args[4], "m", &m) || !GetDimension(env, args[5], "n", &n) ||
      !GetDimension(env, args[6], "k", &k) || !GetFlag(env, args[7], "transA", &trans_a) ||
      !GetFlag(env, args[8], "transB", &trans_b) || !GetDimension(env, args[9], "aBatchStride", &a_stride) ||
      !GetDimension(env, args[10], "bBatchStride", &b_stride)) {
    return nullptr;
  }
  // Sizes in 64-bit: every operand fits in a Float32Array (< 2^32 elements), so these cannot overflow.
  const int64_t a_size = m * k, b_size = k * n, out_size = m * n;
  if (batch > 0) {
    const int64_t a_needed = (batch - 1) * a_stride + a_size;
    const int64_t b_needed = (batch - 1) * b_stride + b_size;
    const int64_t out_needed = batch * out_size;
    if (static_cast<int64_t>(a.length) < a_needed) {
      return Throw(env, "sgemm: a has " + std::to_string(a.length) + " elements, needs " + std::to_string(a_needed), true);
    }
    if (static_cast<int64_t>(b.length) < b_needed) {
      return Throw(env, "sgemm: b has " + std::to_string(b.length) + " elements, needs " + std::to_string(b_needed), true);
    }
    if (static_cast<int64_t>(out.length) < out_needed) {
      return Throw(env, "sgemm: out has " + std::to_string(out.length) + " elements, needs " + std::to_string(out_needed),
                   true);
    }
  }
  if (batch == 0 || out_size == 0) return nullptr;
  if (k == 0) {
    std::memset(out.data, 0, sizeof(float) * static_cast<size_t>(batch * out_size));
    return nullptr;
  }
  const int lda = trans_a ? static_cast<int>(m) : static_cast<int>(k);
  const int ldb = trans_b ? static_cast<int>(k) : static_cast<int>(n);
  for (int64_t i = 0; i < batch; i++) {
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0f, a.data + i * a_stride, lda,
                b.data + i * b_stride, ldb, 0.0f, out.data + i * out_size, static_cast<int>(n));
  }
  return nullptr;
}

// The one argument of a thread-count setter: an integer in [1, 1024] (`what` names the call in the error).
bool ThreadCountArg(napi_env env, napi_callback_info info, const char* what, int* out) {
  size_t argc = 1;
  napi_value args[1];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  napi_valuetype type = napi_undefined;
  if (argc >= 1) napi_typeof(env, args[0], &type);
  double x = 0;
  if (type == napi_number) napi_get_value_double(env, args[0], &x);
  if (type != napi_number || !std::isfinite(x) || x < 1 || x > 1024 || x != std::floor(x)) {
    Throw(env, std::string(what) + "(n): n must be an integer in [1, 1024]", true);
    return false;
  }
  *out = static_cast<int>(x);
  return true;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  int n = 1;
  if (ThreadCountArg(env, info, "setThreads", &n)) openblas_set_num_threads(n);
  return nullptr;
}

napi_value Threads(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_int32(env, openblas_get_num_threads(), &result);
  return result;
}

int g_kernel_threads = 1;

napi_value SetKernelThreads(napi_env env, napi_callback_info info) {
  int n = 1;
  if (ThreadCountArg(env, info, "setKernelThreads", &n)) g_kernel_threads = n;
  return nullptr;
}

napi_value KernelThreads(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_int32(env, g_kernel_threads, &result);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"sgemm", nullptr, Sgemm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setKernelThreads", nullptr, SetKernelThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"kernelThreads", nullptr, KernelThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  napi_value blas;
  napi_create_string_utf8(env, "OpenBLAS", NAPI_AUTO_LENGTH, &blas);
  napi_set_named_property(env, exports, "blas", blas);
  if (!equimol::RegisterCgScatter(env, exports)) return nullptr;  // fused message-passing kernels (cg-scatter.cc)
  if (!equimol::RegisterChannelProduct(env, exports)) return nullptr;  // fused product-basis kernel (channel-product.cc)
  if (!equimol::RegisterLinearMaps(env, exports)) return nullptr;  // fused equivariant linear maps (linear-maps.cc)
  if (!equimol::RegisterEgnnDenoiser(env, exports)) return nullptr;  // EDM's EGNN denoiser, forward (egnn-denoiser.cc)
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
