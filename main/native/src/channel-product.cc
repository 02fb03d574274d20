// Fused channelwise ('uuu') Clebsch–Gordan product of two node-feature arrays with per-channel path weights shared by
// all nodes (MACE's product basis, eqs. 10–11, one correlation step B^(ν) = B^(ν-1) ⊗ A; core/engine/layers/
// product-basis.ts):
//
//   out[n, offOut_p + u·d3 + k] += w[woff_p + u] · Σ_{i,j} C_p[i,j,k] · x[n, off1_p + u·d1 + i] · y[n, off2_p + u·d2 + j]
//
// over nodes n and paths p (C_p: the Wigner-3j block times the path weight, given as its non-zero entries). As in
// cg-scatter.cc, T(x, y, w, g) = Σ g·out is linear in each operand and `role` picks which partial derivative of T is
// computed from the other three, so the forward and every derivative of any order are this one kernel
// (core/engine/layers/fused-channel-product.ts builds them):
//   role 0: ∂T/∂x [n, dim1]   role 1: ∂T/∂y [n, dim2]   role 2: ∂T/∂w [dimW] (summed over nodes)   role 3: out [n, dimOut]
//
// channelProduct(role, x, y, w, g, out, sizes, paths, coefIndex, coefValue, threads)
//   x, y, w, g: Float32Array (the role's own operand is ignored; pass an empty one); out: Float32Array, overwritten;
//   sizes: Int32Array [n, dim1, dim2, dimW, dimOut]; paths: Int32Array [nPaths·10] of
//   (off1, d1, off2, d2, offOut, d3, woff, mul, coefStart, coefCount); coefIndex: Int32Array [nCoef·3] of (i, j, k);
//   coefValue: Float32Array [nCoef]; threads ≥ 1. Everything is validated before any write (TypeError / RangeError).
// Nodes are processed in fixed blocks of kBlock; threads take whole blocks, and role 2 sums the blocks' partial
// weight gradients in block order, so every role gives the same bits for any thread count.
#include "channel-product.h"
#include "napi-args.h"
#include "path-table.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace equimol {
namespace {

constexpr const char* kOp = "channelProduct";
constexpr int64_t kBlock = 32;            // nodes per block (the unit of work and of role 2's partial sums)
constexpr int64_t kMinNodesPerThread = 128;

struct Problem {
  const float *x = nullptr, *y = nullptr, *w = nullptr, *g = nullptr;
  float* out = nullptr;
  int64_t n = 0, dim1 = 0, dim2 = 0, dimW = 0, dimOut = 0;
  std::vector<Path> paths;
  const int32_t* ci = nullptr;
  const float* cv = nullptr;
};

// One node's contribution of every path to the role's output row `o` (for role 2, the block's weight gradient).
template <int Role>
void Node(const Problem& p, int64_t node, float* o) {
  const float* x = p.x + node * p.dim1;
  const float* y = p.y + node * p.dim2;
  const float* g = p.g + node * p.dimOut;
  for (const Path& q : p.paths) {
    const float* xb = x + q.off1;
    const float* yb = y + q.off2;
    const float* gb = g + q.offOut;
    const float* wb = p.w + q.woff;
    for (int c = q.coefStart; c < q.coefStart + q.coefCount; c++) {
      const int i = p.ci[3 * c], j = p.ci[3 * c + 1], k = p.ci[3 * c + 2];
      const float v = p.cv[c];
      for (int u = 0; u < q.mul; u++) {
        const float xi = xb[u * q.d1 + i], yj = yb[u * q.d2 + j];
        if constexpr (Role == 3) o[q.offOut + u * q.d3 + k] += v * wb[u] * xi * yj;
        else if constexpr (Role == 0) o[q.off1 + u * q.d1 + i] += v * wb[u] * yj * gb[u * q.d3 + k];
        else if constexpr (Role == 1) o[q.off2 + u * q.d2 + j] += v * wb[u] * xi * gb[u * q.d3 + k];
        else o[q.woff + u] += v * xi * yj * gb[u * q.d3 + k];
      }
    }
  }
}

template <int Role>
void Blocks(const Problem& p, int64_t first, int64_t last, float* partials) {
  const int64_t rowDim = Role == 0 ? p.dim1 : Role == 1 ? p.dim2 : p.dimOut;
  for (int64_t b = first; b < last; b++) {
    const int64_t end = std::min(p.n, (b + 1) * kBlock);
    for (int64_t node = b * kBlock; node < end; node++) {
      Node<Role>(p, node, Role == 2 ? partials + b * p.dimW : p.out + node * rowDim);
    }
  }
}

void Run(const Problem& p, int role, int threads) {
  const int64_t outSize = role == 2 ? p.dimW : p.n * (role == 0 ? p.dim1 : role == 1 ? p.dim2 : p.dimOut);
  std::memset(p.out, 0, sizeof(float) * static_cast<size_t>(outSize));
  const int64_t blocks = (p.n + kBlock - 1) / kBlock;
  std::vector<float> partials(role == 2 ? static_cast<size_t>(blocks * p.dimW) : 0, 0.0f);
  auto work = [&](int64_t first, int64_t last) {
    switch (role) {
      case 0: Blocks<0>(p, first, last, partials.data()); break;
      case 1: Blocks<1>(p, first, last, partials.data()); break;
      case 2: Blocks<2>(p, first, last, partials.data()); break;
      default: Blocks<3>(p, first, last, partials.data()); break;
    }
  };
  const int t = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>({threads, p.n / kMinNodesPerThread, blocks})));
  std::vector<std::thread> pool;
  for (int c = 1; c < t; c++) pool.emplace_back(work, blocks * c / t, blocks * (c + 1) / t);
  work(0, blocks / t);
  for (auto& th : pool) th.join();
  if (role == 2) {
    for (int64_t b = 0; b < blocks; b++) {
      const float* row = partials.data() + b * p.dimW;
      for (int64_t k = 0; k < p.dimW; k++) p.out[k] += row[k];
    }
  }
}

napi_value ChannelProduct(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value args[11];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  if (argc != 11) {
    return ThrowFrom(env, kOp, "takes 11 arguments (role, x, y, w, g, out, sizes, paths, coefIndex, coefValue, threads), got " +
                                   std::to_string(argc));
  }
  Problem p;
  int role = 0, threads = 1;
  size_t lx, ly, lw, lg, lout, lsizes, lpaths, lci, lcv;
  const int32_t *sizes, *paths;
  const napi_typedarray_type f32 = napi_float32_array, i32 = napi_int32_array;
  if (!GetBoundedInt(env, kOp, args[0], "role", 0, 3, &role) ||
      !GetTypedArray<const float>(env, kOp, args[1], f32, "x", &p.x, &lx) ||
      !GetTypedArray<const float>(env, kOp, args[2], f32, "y", &p.y, &ly) ||
      !GetTypedArray<const float>(env, kOp, args[3], f32, "w", &p.w, &lw) ||
      !GetTypedArray<const float>(env, kOp, args[4], f32, "g", &p.g, &lg) ||
      !GetTypedArray<float>(env, kOp, args[5], f32, "out", &p.out, &lout) ||
      !GetTypedArray<const int32_t>(env, kOp, args[6], i32, "sizes", &sizes, &lsizes) ||
      !GetTypedArray<const int32_t>(env, kOp, args[7], i32, "paths", &paths, &lpaths) ||
      !GetTypedArray<const int32_t>(env, kOp, args[8], i32, "coefIndex", &p.ci, &lci) ||
      !GetTypedArray<const float>(env, kOp, args[9], f32, "coefValue", &p.cv, &lcv) ||
      !GetBoundedInt(env, kOp, args[10], "threads", 1, 1024, &threads)) {
    return nullptr;
  }
  if (lsizes != 5) return ThrowFrom(env, kOp, "sizes must hold 5 integers, got " + std::to_string(lsizes), true);
  for (size_t k = 0; k < 5; k++) {
    if (sizes[k] < 0) return ThrowFrom(env, kOp, "sizes must be non-negative", true);
  }
  p.n = sizes[0], p.dim1 = sizes[1], p.dim2 = sizes[2], p.dimW = sizes[3], p.dimOut = sizes[4];
  if (!ReadPathTable(env, kOp, paths, lpaths, p.ci, lci, lcv, {p.dim1, p.dim2, p.dimW, p.dimOut, true}, &p.paths)) return nullptr;
  auto needs = [&](int r, size_t have, int64_t want, const char* name) {
    if (role == r || static_cast<int64_t>(have) >= want) return true;
    ThrowFrom(env, kOp, std::string(name) + " has " + std::to_string(have) + " elements, needs " + std::to_string(want), true);
    return false;
  };
  const int64_t outSize = role == 2 ? p.dimW : p.n * (role == 0 ? p.dim1 : role == 1 ? p.dim2 : p.dimOut);
  if (!needs(0, lx, p.n * p.dim1, "x") || !needs(1, ly, p.n * p.dim2, "y") || !needs(2, lw, p.dimW, "w") ||
      !needs(3, lg, p.n * p.dimOut, "g") || !needs(-1, lout, outSize, "out")) {
    return nullptr;
  }
  Run(p, role, threads);
  return nullptr;
}

}  // namespace

bool RegisterChannelProduct(napi_env env, napi_value exports) { return ExportFunction(env, exports, "channelProduct", ChannelProduct); }

}  // namespace equimol
