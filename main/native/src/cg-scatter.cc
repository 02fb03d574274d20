// Fused channelwise Clebsch–Gordan message passing (the NequIP/MACE interaction, MACE eq. 8 summed at receivers):
//
//   out[dst_e, offOut_p + u·d3 + k] += w[e, woff_p + u] · Σ_{i,j} C_p[i,j,k] · x[src_e, off1_p + u·d1 + i] · y[e, off2_p + j]
//
// over edges e and paths p (C_p is the Wigner-3j block times the path weight, given as its non-zero entries). This is
// T(x, y, w, g) = Σ g·out, linear in each of x (node features), y (edge spherical harmonics), w (per-edge radial
// weights) and g (a cotangent on the receivers). `role` picks which partial derivative of T is computed from the other
// three, so the forward (role 3 = g: out itself), the three input gradients and every higher derivative are the same
// kernel (core/engine/layers/fused-cg-scatter.ts builds all orders from it):
//   role 0: ∂T/∂x  [nNodes, dim1]  (gradient w.r.t. sender features, scattered to src)
//   role 1: ∂T/∂y  [nEdges, dim2]
//   role 2: ∂T/∂w  [nEdges, dimW]
//   role 3: ∂T/∂g  [nNodes, dimOut] (the forward: messages summed at dst)
//
// cgScatter(role, x, y, w, g, src, dst, out, sizes, paths, coefIndex, coefValue, threads)
//   x, y, w, g: Float32Array (the role's own argument is ignored; pass an empty one); src, dst: Int32Array [nEdges];
//   out: Float32Array, overwritten; sizes: Int32Array [nNodes, nEdges, dim1, dim2, dimW, dimOut];
//   paths: Int32Array [nPaths·10] of (off1, d1, off2, d2, offOut, d3, woff, mul, coefStart, coefCount);
//   coefIndex: Int32Array [nCoef·3] of (i, j, k); coefValue: Float32Array [nCoef]; threads ≥ 1.
//   Everything is validated (lengths, offsets, indices) before any write: bad input throws TypeError / RangeError.
// With threads > 1 the edges are split across std::threads; the scatters (roles 0 and 3) are split by the node they
// write (a counting sort of the edges by that node), so no two threads write the same row and the sums are exact.
#include "cg-scatter.h"
#include "napi-args.h"
#include "path-table.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace equimol {
namespace {

struct Problem {
  const float *x = nullptr, *y = nullptr, *w = nullptr, *g = nullptr;
  const int32_t *src = nullptr, *dst = nullptr;
  float* out = nullptr;
  int64_t nNodes = 0, nEdges = 0, dim1 = 0, dim2 = 0, dimW = 0, dimOut = 0;
  std::vector<Path> paths;
  const int32_t* ci = nullptr;
  const float* cv = nullptr;
  int scratch = 1;  // max d1·d3 over paths
};

constexpr const char* kOp = "cgScatter";

napi_value Throw(napi_env env, const std::string& message, bool range = false) { return ThrowFrom(env, kOp, message, range); }

template <class T>
bool GetArray(napi_env env, napi_value value, napi_typedarray_type want, const char* name, T** data, size_t* length) {
  return GetTypedArray(env, kOp, value, want, name, data, length);
}

bool GetInt(napi_env env, napi_value value, const char* name, int lo, int hi, int* out) {
  return GetBoundedInt(env, kOp, value, name, lo, hi, out);
}

// M[i·d3 + k] = Σ_j C[i,j,k] y[off2 + j] for one edge and path.
inline void Couple(const Problem& p, const Path& q, const float* ye, float* m) {
  std::fill(m, m + q.d1 * q.d3, 0.0f);
  for (int c = q.coefStart; c < q.coefStart + q.coefCount; c++) {
    const int32_t* t = p.ci + 3 * c;
    m[t[0] * q.d3 + t[2]] += p.cv[c] * ye[q.off2 + t[1]];
  }
}

// One edge's operand rows (x at its sender, y and w at the edge, g at its receiver) and the role's output row.
struct Rows {
  const float *x, *y, *w, *g;
  float* out;
};

// The four roles' per-path loops over the channels u; `m` is scratch of p.scratch floats. D1 and D3 are d1 and d3
// fixed at compile time for the common degrees, 0 where they are read from the path at run time.
struct GradX {  // role 0: out[u,i] += w[u] Σ_k M[i,k] g[u,k]
  template <int D1, int D3>
  static void Run(const Problem& p, const Path& q, const Rows& r, float* m) {
    const int d1 = D1 ? D1 : q.d1, d3 = D3 ? D3 : q.d3;
    Couple(p, q, r.y, m);
    const float* gb = r.g + q.offOut;
    const float* wb = r.w + q.woff;
    float* ob = r.out + q.off1;
    for (int u = 0; u < q.mul; u++) {
      const float* gu = gb + u * d3;
      float* ou = ob + u * d1;
      for (int i = 0; i < d1; i++) {
        float t = 0.0f;
        for (int k = 0; k < d3; k++) t += m[i * d3 + k] * gu[k];
        ou[i] += wb[u] * t;
      }
    }
  }
};
struct GradY {  // role 1: A[i,k] = Σ_u w[u] x[u,i] g[u,k], then out[j] += Σ_{i,k} C[i,j,k] A[i,k]
  template <int D1, int D3>
  static void Run(const Problem& p, const Path& q, const Rows& r, float* a) {
    const int d1 = D1 ? D1 : q.d1, d3 = D3 ? D3 : q.d3;
    std::fill(a, a + d1 * d3, 0.0f);
    const float* xb = r.x + q.off1;
    const float* gb = r.g + q.offOut;
    const float* wb = r.w + q.woff;
    for (int u = 0; u < q.mul; u++) {
      const float* xu = xb + u * d1;
      const float* gu = gb + u * d3;
      for (int i = 0; i < d1; i++) {
        const float wx = wb[u] * xu[i];
        for (int k = 0; k < d3; k++) a[i * d3 + k] += wx * gu[k];
      }
    }
    float* o = r.out + q.off2;
    for (int c = q.coefStart; c < q.coefStart + q.coefCount; c++) {
      const int32_t* t = p.ci + 3 * c;
      o[t[1]] += p.cv[c] * a[t[0] * d3 + t[2]];
    }
  }
};
struct GradW {  // role 2: out[u] += Σ_k g[u,k] Σ_i x[u,i] M[i,k]
  template <int D1, int D3>
  static void Run(const Problem& p, const Path& q, const Rows& r, float* m) {
    const int d1 = D1 ? D1 : q.d1, d3 = D3 ? D3 : q.d3;
    Couple(p, q, r.y, m);
    const float* xb = r.x + q.off1;
    const float* gb = r.g + q.offOut;
    float* ob = r.out + q.woff;
    for (int u = 0; u < q.mul; u++) {
      const float* xu = xb + u * d1;
      const float* gu = gb + u * d3;
      float s = 0.0f;
      for (int k = 0; k < d3; k++) {
        float t = 0.0f;
        for (int i = 0; i < d1; i++) t += xu[i] * m[i * d3 + k];
        s += gu[k] * t;
      }
      ob[u] += s;
    }
  }
};
struct Forward {  // role 3: out[u,k] += w[u] Σ_i x[u,i] M[i,k]
  template <int D1, int D3>
  static void Run(const Problem& p, const Path& q, const Rows& r, float* m) {
    const int d1 = D1 ? D1 : q.d1, d3 = D3 ? D3 : q.d3;
    Couple(p, q, r.y, m);
    const float* xb = r.x + q.off1;
    const float* wb = r.w + q.woff;
    float* ob = r.out + q.offOut;
    for (int u = 0; u < q.mul; u++) {
      const float* xu = xb + u * d1;
      float* ou = ob + u * d3;
      for (int k = 0; k < d3; k++) {
        float t = 0.0f;
        for (int i = 0; i < d1; i++) t += xu[i] * m[i * d3 + k];
        ou[k] += wb[u] * t;
      }
    }
  }
};

// The dispatcher: the instantiation of Op::Run for one path's (d1, d3), resolved once per call and path. Degrees
// 0, 1, 2 (dimensions 1, 3, 5) get fixed-size loops; any other dimension takes the run-time-size one (slot 0).
using PathKernel = void (*)(const Problem&, const Path&, const Rows&, float*);
constexpr int kFixedDims[4] = {0, 1, 3, 5};
constexpr int Slot(int d) { return d == 1 ? 1 : d == 3 ? 2 : d == 5 ? 3 : 0; }

template <class Op, size_t... I>
PathKernel Select(const Path& q, std::index_sequence<I...>) {
  static constexpr PathKernel kTable[] = {&Op::template Run<kFixedDims[I / 4], kFixedDims[I % 4]>...};
  return kTable[Slot(q.d1) * 4 + Slot(q.d3)];
}

template <class Op>
std::vector<PathKernel> KernelsOf(const Problem& p) {
  std::vector<PathKernel> kernels;
  for (const Path& q : p.paths) kernels.push_back(Select<Op>(q, std::make_index_sequence<16>{}));
  return kernels;
}

std::vector<PathKernel> KernelsFor(const Problem& p, int role) {
  switch (role) {
    case 0: return KernelsOf<GradX>(p);
    case 1: return KernelsOf<GradY>(p);
    case 2: return KernelsOf<GradW>(p);
    default: return KernelsOf<Forward>(p);
  }
}

// One edge's contribution to the role's output.
void Edge(const Problem& p, const std::vector<PathKernel>& kernels, int role, int64_t e, float* m) {
  const int64_t s = p.src[e], d = p.dst[e];
  float* out = role == 0 ? p.out + s * p.dim1 : role == 1 ? p.out + e * p.dim2 : role == 2 ? p.out + e * p.dimW : p.out + d * p.dimOut;
  const Rows rows{p.x + s * p.dim1, p.y + e * p.dim2, p.w + e * p.dimW, p.g + d * p.dimOut, out};
  for (size_t k = 0; k < kernels.size(); k++) kernels[k](p, p.paths[k], rows, m);
}

constexpr int64_t kMinEdgesPerThread = 512;

void Run(const Problem& p, int role, int threads) {
  const int64_t outRows = (role == 0 || role == 3) ? p.nNodes : p.nEdges;
  const int64_t outDim = role == 0 ? p.dim1 : role == 1 ? p.dim2 : role == 2 ? p.dimW : p.dimOut;
  std::memset(p.out, 0, sizeof(float) * static_cast<size_t>(outRows * outDim));
  const std::vector<PathKernel> kernels = KernelsFor(p, role);
  const int64_t n = p.nEdges;
  const int t = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, n / kMinEdgesPerThread)));
  if (t == 1) {
    std::vector<float> m(p.scratch);
    for (int64_t e = 0; e < n; e++) Edge(p, kernels, role, e, m.data());
    return;
  }
  // Edge lists per chunk: contiguous for per-edge outputs, grouped by the written node for the scatters.
  std::vector<int64_t> order, bounds(t + 1, 0);
  if (role == 1 || role == 2) {
    for (int c = 0; c <= t; c++) bounds[c] = n * c / t;
  } else {
    const int32_t* key = role == 3 ? p.dst : p.src;
    std::vector<int64_t> start(p.nNodes + 1, 0);
    for (int64_t e = 0; e < n; e++) start[key[e] + 1]++;
    for (int64_t i = 0; i < p.nNodes; i++) start[i + 1] += start[i];
    order.resize(n);
    std::vector<int64_t> fill(start.begin(), start.end() - 1);
    for (int64_t e = 0; e < n; e++) order[fill[key[e]]++] = e;
    // Chunk c ends at the first node boundary at or after c·n/t edges.
    int64_t node = 0;
    for (int c = 1; c < t; c++) {
      while (node < p.nNodes && start[node] < n * c / t) node++;
      bounds[c] = start[node];
    }
    bounds[t] = n;
  }
  auto work = [&](int c) {
    std::vector<float> m(p.scratch);
    for (int64_t r = bounds[c]; r < bounds[c + 1]; r++) Edge(p, kernels, role, order.empty() ? r : order[r], m.data());
  };
  std::vector<std::thread> pool;
  for (int c = 1; c < t; c++) pool.emplace_back(work, c);
  work(0);
  for (auto& th : pool) th.join();
}

napi_value CgScatter(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value args[13];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  if (argc != 13) {
    return Throw(env, "takes 13 arguments (role, x, y, w, g, src, dst, out, sizes, paths, coefIndex, coefValue, threads), got " +
                          std::to_string(argc));
  }
  Problem p;
  int role = 0, threads = 1;
  size_t lx, ly, lw, lg, lsrc, ldst, lout, lsizes, lpaths, lci, lcv;
  const int32_t *sizes, *paths;
  float* outData;
  if (!GetInt(env, args[0], "role", 0, 3, &role) ||
      !GetArray<const float>(env, args[1], napi_float32_array, "x", &p.x, &lx) ||
      !GetArray<const float>(env, args[2], napi_float32_array, "y", &p.y, &ly) ||
      !GetArray<const float>(env, args[3], napi_float32_array, "w", &p.w, &lw) ||
      !GetArray<const float>(env, args[4], napi_float32_array, "g", &p.g, &lg) ||
      !GetArray<const int32_t>(env, args[5], napi_int32_array, "src", &p.src, &lsrc) ||
      !GetArray<const int32_t>(env, args[6], napi_int32_array, "dst", &p.dst, &ldst) ||
      !GetArray<float>(env, args[7], napi_float32_array, "out", &outData, &lout) ||
      !GetArray<const int32_t>(env, args[8], napi_int32_array, "sizes", &sizes, &lsizes) ||
      !GetArray<const int32_t>(env, args[9], napi_int32_array, "paths", &paths, &lpaths) ||
      !GetArray<const int32_t>(env, args[10], napi_int32_array, "coefIndex", &p.ci, &lci) ||
      !GetArray<const float>(env, args[11], napi_float32_array, "coefValue", &p.cv, &lcv) ||
      !GetInt(env, args[12], "threads", 1, 1024, &threads)) {
    return nullptr;
  }
  p.out = outData;
  if (lsizes != 6) return Throw(env, "sizes must hold 6 integers, got " + std::to_string(lsizes), true);
  for (size_t k = 0; k < 6; k++) {
    if (sizes[k] < 0) return Throw(env, "sizes must be non-negative", true);
  }
  p.nNodes = sizes[0], p.nEdges = sizes[1], p.dim1 = sizes[2], p.dim2 = sizes[3], p.dimW = sizes[4], p.dimOut = sizes[5];
  if (!ReadPathTable(env, kOp, paths, lpaths, p.ci, lci, lcv, {p.dim1, p.dim2, p.dimW, p.dimOut, false}, &p.paths)) return nullptr;
  for (const Path& q : p.paths) p.scratch = std::max(p.scratch, q.d1 * q.d3);
  auto needs = [&](int r, size_t have, int64_t want, const char* name) {
    if (role == r || static_cast<int64_t>(have) >= want) return true;
    Throw(env, std::string(name) + " has " + std::to_string(have) + " elements, needs " + std::to_string(want), true);
    return false;
  };
  const int64_t outRows = (role == 0 || role == 3) ? p.nNodes : p.nEdges;
  const int64_t outDim = role == 0 ? p.dim1 : role == 1 ? p.dim2 : role == 2 ? p.dimW : p.dimOut;
  if (!needs(0, lx, p.nNodes * p.dim1, "x") || !needs(1, ly, p.nEdges * p.dim2, "y") ||
      !needs(2, lw, p.nEdges * p.dimW, "w") || !needs(3, lg, p.nNodes * p.dimOut, "g") ||
      !needs(-1, lsrc, p.nEdges, "src") || !needs(-1, ldst, p.nEdges, "dst") || !needs(-1, lout, outRows * outDim, "out")) {
    return nullptr;
  }
  for (int64_t e = 0; e < p.nEdges; e++) {
    if (p.src[e] < 0 || p.src[e] >= p.nNodes || p.dst[e] < 0 || p.dst[e] >= p.nNodes) {
      return Throw(env, "edge " + std::to_string(e) + " (" + std::to_string(p.src[e]) + " -> " + std::to_string(p.dst[e]) +
                            ") indexes outside the " + std::to_string(p.nNodes) + " nodes", true);
    }
  }
  Run(p, role, threads);
  return nullptr;
}

}  // namespace

bool RegisterCgScatter(napi_env env, napi_value exports) { return ExportFunction(env, exports, "cgScatter", CgScatter); }

}  // namespace equimol
