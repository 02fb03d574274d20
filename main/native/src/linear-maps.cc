// Fused equivariant linear map (e3nn o3.Linear, core/engine/layers/linear.ts) on node features in the irreps layout
// (block of path p: channel u, component m at off + u·d + m):
//
//   out[n, offOut_p + v·d_p + m] += α_p · Σ_u W[woff_p + u·mulOut_p + v] · x[n, offIn_p + u·d_p + m]
//
// over nodes n and paths p (α_p: the 1/√fan-in normalisation). T(x, W, g) = Σ g·out is linear in x, W and g, and
// `role` picks which partial derivative is computed from the other two, so the forward, both gradients and every
// higher derivative are this one kernel (core/engine/layers/fused-linear.ts builds them, multilinear-op.ts):
//   role 0: ∂T/∂x [n, dimIn]   role 1: ∂T/∂W [dimW] (summed over nodes)   role 2: out [n, dimOut] (the forward)
//
// linearMaps(role, x, w, g, out, sizes, paths, norms, threads)
//   x, w, g: Float32Array (the role's own operand is ignored; pass an empty one); out: Float32Array, overwritten;
//   sizes: Int32Array [n, dimIn, dimW, dimOut]; paths: Int32Array [nPaths·6] of (offIn, mulIn, offOut, mulOut, d,
//   woff), W_p stored [mulIn, mulOut] row-major at woff; norms: Float32Array [nPaths]; threads ≥ 1.
//   Everything is validated before any write (TypeError / RangeError).
// Per path, component m and chunk of kChunk nodes, the channel mixing is one OpenBLAS sgemm on that component's
// columns, gathered into a contiguous [chunk, mul] buffer first (read in place for d = 1 blocks); role 1 sums the chunks
// in order. The chunking is fixed, so the result does not depend on `threads` (accepted for the fused kernels' common
// interface; the products use OpenBLAS's own thread setting).
#include "linear-maps.h"
#include "napi-args.h"

#include <cblas.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace equimol {
namespace {

constexpr const char* kOp = "linearMaps";

struct LinearPath {
  int offIn, mulIn, offOut, mulOut, d, woff;
  float norm;
};

struct Problem {
  const float *x = nullptr, *w = nullptr, *g = nullptr;
  float* out = nullptr;
  int64_t n = 0, dimIn = 0, dimW = 0, dimOut = 0;
  std::vector<LinearPath> paths;
  int scratch = 1;  // max(mulIn, mulOut) over paths
};

// Nodes per chunk: each chunk's gathered columns ([chunk, mul] per component m) stay in the L2 cache.
constexpr int64_t kChunk = 512;

// cols[r, c] = src[r·stride + off + c·d] for r < rows, c < count (one component of a block, made contiguous).
void Gather(const float* src, int64_t stride, int off, int d, int count, int64_t rows, float* cols) {
  for (int64_t r = 0; r < rows; r++) {
    const float* s = src + r * stride + off;
    float* c = cols + r * count;
    for (int k = 0; k < count; k++) c[k] = s[k * d];
  }
}

// dst[r·stride + off + c·d] += cols[r, c].
void ScatterAdd(const float* cols, int64_t rows, int count, float* dst, int64_t stride, int off, int d) {
  for (int64_t r = 0; r < rows; r++) {
    float* t = dst + r * stride + off;
    const float* c = cols + r * count;
    for (int k = 0; k < count; k++) t[k * d] += c[k];
  }
}

// One component m of a d-strided block: the columns of `in` at (inOff + c·d + m), c < inCount, times op(W)
// (W stored [mulIn, mulOut]; transposed for the input gradient) and α, added to the columns of `out` at
// (outOff + c·d + m), c < outCount. A d = 1 block is one sgemm in place, with the row stride as leading dimension;
// otherwise the columns are gathered into `a`, multiplied into `b` and added back.
struct Columns {
  const float* in;
  int64_t inStride;
  int inOff, inCount;
  float* out;
  int64_t outStride;
  int outOff, outCount;
};

void MixComponent(const Columns& c, const float* w, int mulOut, bool transW, float norm, int d, int m, int64_t rows, float* a, float* b) {
  const CBLAS_TRANSPOSE op = transW ? CblasTrans : CblasNoTrans;
  if (d == 1) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, op, rows, c.outCount, c.inCount, norm, c.in + c.inOff, c.inStride, w, mulOut, 1.0f,
                c.out + c.outOff, c.outStride);
    return;
  }
  Gather(c.in, c.inStride, c.inOff + m, d, c.inCount, rows, a);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, op, rows, c.outCount, c.inCount, norm, a, c.inCount, w, mulOut, 0.0f, b, c.outCount);
  ScatterAdd(b, rows, c.outCount, c.out, c.outStride, c.outOff + m, d);
}

// Per path, component m and chunk of nodes, the channel mixing is one sgemm on that component's columns:
//   role 2: Y_m = α X_m · W   role 0: ∂X_m = α G_m · Wᵀ   role 1: ∂W += α X_mᵀ · G_m
void Run(const Problem& p, int role) {
  const int64_t outSize = role == 1 ? p.dimW : p.n * (role == 0 ? p.dimIn : p.dimOut);
  std::memset(p.out, 0, sizeof(float) * static_cast<size_t>(outSize));
  std::vector<float> a(static_cast<size_t>(kChunk * p.scratch)), b(static_cast<size_t>(kChunk * p.scratch));
  for (int64_t first = 0; first < p.n; first += kChunk) {
    const int64_t rows = std::min(kChunk, p.n - first);
    const float* x = p.x + first * p.dimIn;
    const float* g = p.g + first * p.dimOut;
    for (const LinearPath& q : p.paths) {
      if (q.mulIn == 0 || q.mulOut == 0) continue;
      const float* w = p.w + q.woff;
      for (int m = 0; m < q.d; m++) {
        if (role == 2) {  // out[:, offOut + v·d + m] += α x[:, offIn + u·d + m] · W[u, v]
          const Columns c{x, p.dimIn, q.offIn, q.mulIn, p.out + first * p.dimOut, p.dimOut, q.offOut, q.mulOut};
          MixComponent(c, w, q.mulOut, false, q.norm, q.d, m, rows, a.data(), b.data());
        } else if (role == 0) {  // ∂x[:, offIn + u·d + m] += α g[:, offOut + v·d + m] · W[u, v]
          const Columns c{g, p.dimOut, q.offOut, q.mulOut, p.out + first * p.dimIn, p.dimIn, q.offIn, q.mulIn};
          MixComponent(c, w, q.mulOut, true, q.norm, q.d, m, rows, a.data(), b.data());
        } else {  // ∂W[u, v] += α Σ_rows x[:, offIn + u·d + m] g[:, offOut + v·d + m]
          const float* xs = x + q.offIn;
          const float* gs = g + q.offOut;
          int64_t ldx = p.dimIn, ldg = p.dimOut;
          if (q.d > 1) {
            Gather(x, p.dimIn, q.offIn + m, q.d, q.mulIn, rows, a.data());
            Gather(g, p.dimOut, q.offOut + m, q.d, q.mulOut, rows, b.data());
            xs = a.data(), gs = b.data(), ldx = q.mulIn, ldg = q.mulOut;
          }
          cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, q.mulIn, q.mulOut, rows, q.norm, xs, ldx, gs, ldg, 1.0f, p.out + q.woff, q.mulOut);
        }
      }
    }
  }
}

napi_value LinearMaps(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value args[9];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  if (argc != 9) {
    return ThrowFrom(env, kOp, "takes 9 arguments (role, x, w, g, out, sizes, paths, norms, threads), got " + std::to_string(argc));
  }
  Problem p;
  int role = 0, threads = 1;
  size_t lx, lw, lg, lout, lsizes, lpaths, lnorms;
  const int32_t *sizes, *paths;
  const float* norms;
  const napi_typedarray_type f32 = napi_float32_array, i32 = napi_int32_array;
  if (!GetBoundedInt(env, kOp, args[0], "role", 0, 2, &role) ||
      !GetTypedArray<const float>(env, kOp, args[1], f32, "x", &p.x, &lx) ||
      !GetTypedArray<const float>(env, kOp, args[2], f32, "w", &p.w, &lw) ||
      !GetTypedArray<const float>(env, kOp, args[3], f32, "g", &p.g, &lg) ||
      !GetTypedArray<float>(env, kOp, args[4], f32, "out", &p.out, &lout) ||
      !GetTypedArray<const int32_t>(env, kOp, args[5], i32, "sizes", &sizes, &lsizes) ||
      !GetTypedArray<const int32_t>(env, kOp, args[6], i32, "paths", &paths, &lpaths) ||
      !GetTypedArray<const float>(env, kOp, args[7], f32, "norms", &norms, &lnorms) ||
      !GetBoundedInt(env, kOp, args[8], "threads", 1, 1024, &threads)) {
    return nullptr;
  }
  if (lsizes != 4) return ThrowFrom(env, kOp, "sizes must hold 4 integers, got " + std::to_string(lsizes), true);
  for (size_t k = 0; k < 4; k++) {
    if (sizes[k] < 0) return ThrowFrom(env, kOp, "sizes must be non-negative", true);
  }
  p.n = sizes[0], p.dimIn = sizes[1], p.dimW = sizes[2], p.dimOut = sizes[3];
  if (lpaths % 6 != 0) return ThrowFrom(env, kOp, "paths must hold 6 integers per path", true);
  if (lnorms != lpaths / 6) return ThrowFrom(env, kOp, "norms must hold one value per path", true);
  for (size_t k = 0; k < lpaths; k += 6) {
    const LinearPath q{paths[k], paths[k + 1], paths[k + 2], paths[k + 3], paths[k + 4], paths[k + 5], norms[k / 6]};
    const std::string at = "path " + std::to_string(k / 6);
    if (q.offIn < 0 || q.mulIn < 0 || q.offOut < 0 || q.mulOut < 0 || q.d < 1 || q.woff < 0) {
      return ThrowFrom(env, kOp, at + " has a negative offset or multiplicity, or an empty degree", true);
    }
    if (q.offIn + int64_t{q.mulIn} * q.d > p.dimIn || q.offOut + int64_t{q.mulOut} * q.d > p.dimOut ||
        q.woff + int64_t{q.mulIn} * q.mulOut > p.dimW) {
      return ThrowFrom(env, kOp, at + " reaches outside its blocks", true);
    }
    p.scratch = std::max({p.scratch, q.mulIn, q.mulOut});
    p.paths.push_back(q);
  }
  auto needs = [&](int r, size_t have, int64_t want, const char* name) {
    if (role == r || static_cast<int64_t>(have) >= want) return true;
    ThrowFrom(env, kOp, std::string(name) + " has " + std::to_string(have) + " elements, needs " + std::to_string(want), true);
    return false;
  };
  const int64_t outSize = role == 1 ? p.dimW : p.n * (role == 0 ? p.dimIn : p.dimOut);
  if (!needs(0, lx, p.n * p.dimIn, "x") || !needs(1, lw, p.dimW, "w") || !needs(2, lg, p.n * p.dimOut, "g") ||
      !needs(-1, lout, outSize, "out")) {
    return nullptr;
  }
  (void)threads;  // the products run on OpenBLAS, on its own thread setting (setThreads)
  Run(p, role);
  return nullptr;
}

}  // namespace

bool RegisterLinearMaps(napi_env env, napi_value exports) { return ExportFunction(env, exports, "linearMaps", LinearMaps); }

}  // namespace equimol
