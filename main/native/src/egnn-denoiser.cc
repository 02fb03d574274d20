// Fused forward pass of EDM's EGNN denoiser (core/generative/edm/dynamics.ts, `predictNoise`; Hoogeboom et al. 2022,
// App. B), for sampling, where no gradient is needed: the whole network in one call on host arrays, with no
// intermediate tensors. Per block l (receiver i = dst, sender j = src, r_ij = x_i − x_j, a_ij = [d²_ij, d²_ij(input)]):
//
//   P_ij   = silu(A_i + B_j + a_ij W_a + b0),  A = h W_receiver, B = h W_sender            [nEdges, F]
//   m_ij   = silu(P_ij W1 + b1) · sigmoid(m_ij w_att + b_att)                              [nEdges, F]
//   h_i   += silu(h_i W_h + (norm Σ_j m_ij) W_m + b0) W1 + b1                             [nAtoms, F]
//   x_i   += norm Σ_j r_ij / (√(d²_ij + 1e-8) + c) · tanh(silu(P'_ij W1' + b1') w2) · range  (P' as P on the new h)
//
// with h = embedding(nodeInput) first and outH = h_L W_out + b_out last; outX = x_L (the caller takes ε̂_x = x_L − x
// with the mean removed, and ε̂_h = outH[:, :nf], as the tfjs composition does).
//
// egnnDenoiser(sizes, scalars, nodeInput, x, edgeSrc, edgeDst, weights, outX, outH)
//   sizes: Int32Array [nAtoms, nEdges, nodeIn, features F, layers L]; scalars: Float32Array [range per layer, c, norm];
//   nodeInput: [nAtoms·nodeIn]; x: [nAtoms·3]; edgeSrc, edgeDst: Int32Array [nEdges] in [0, nAtoms);
//   weights: Float32Array, every parameter row-major in `dynamicsParamShapes` order (embedding/w, embedding/b, per block
//   edge/w_receiver, w_sender, w_attr, b0, w1, b1, attention/w, b, node/w_h, w_m, b0, w1, b1, coord/w_receiver,
//   w_sender, w_attr, b0, w1, b1, w2; output/w, output/b); outX [nAtoms·3], outH [nAtoms·nodeIn], overwritten.
//   Everything is validated before any write (TypeError / RangeError). Matrix products are OpenBLAS sgemm (its own
//   thread setting); the edge loops run on one thread.
#include "egnn-denoiser.h"
#include "napi-args.h"

#include <cblas.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace equimol {
namespace {

constexpr const char* kOp = "egnnDenoiser";

inline float Sigmoid(float v) { return 1.0f / (1.0f + std::exp(-v)); }

// data[k] ← data[k] · sigmoid(data[k]) = data[k] / (1 + e^{−data[k]}). On x86-64, four at a time: e^v with v = −x
// clamped to [−87, 88], v = n·ln2 + r (ln2 split in two), e^r by its degree-6 Taylor polynomial on |r| ≤ ln2/2
// (relative error of the SiLU below 3e-7 against double precision), 2^n put into the exponent bits; std::exp
// elsewhere and for the tail. NaN stays NaN.
void SiluInPlace(float* data, int64_t count) {
  int64_t k = 0;
#if defined(__SSE2__)
  const __m128 lo = _mm_set1_ps(-87.0f), hi = _mm_set1_ps(88.0f), log2e = _mm_set1_ps(1.44269504088896341f);
  const __m128 ln2Hi = _mm_set1_ps(0.693359375f), ln2Lo = _mm_set1_ps(-2.12194440e-4f), one = _mm_set1_ps(1.0f);
  const __m128 c6 = _mm_set1_ps(1.0f / 720), c5 = _mm_set1_ps(1.0f / 120), c4 = _mm_set1_ps(1.0f / 24), c3 = _mm_set1_ps(1.0f / 6);
  const __m128 c2 = _mm_set1_ps(0.5f);
  for (; k + 4 <= count; k += 4) {
    const __m128 x = _mm_loadu_ps(data + k);
    const __m128 v = _mm_min_ps(_mm_max_ps(_mm_sub_ps(_mm_setzero_ps(), x), lo), hi);
    const __m128i ni = _mm_cvtps_epi32(_mm_mul_ps(v, log2e));  // round to nearest
    const __m128 n = _mm_cvtepi32_ps(ni);
    const __m128 r = _mm_sub_ps(_mm_sub_ps(v, _mm_mul_ps(n, ln2Hi)), _mm_mul_ps(n, ln2Lo));
    __m128 p = _mm_add_ps(_mm_mul_ps(c6, r), c5);
    p = _mm_add_ps(_mm_mul_ps(p, r), c4);
    p = _mm_add_ps(_mm_mul_ps(p, r), c3);
    p = _mm_add_ps(_mm_mul_ps(p, r), c2);
    p = _mm_add_ps(_mm_mul_ps(p, r), one);
    p = _mm_add_ps(_mm_mul_ps(p, r), one);
    const __m128 scale = _mm_castsi128_ps(_mm_slli_epi32(_mm_add_epi32(ni, _mm_set1_epi32(127)), 23));
    _mm_storeu_ps(data + k, _mm_div_ps(x, _mm_add_ps(one, _mm_mul_ps(p, scale))));
  }
#endif
  for (; k < count; k++) data[k] = data[k] / (1.0f + std::exp(-data[k]));
}

// C[m, n] = A[m, k] · B[k, n] (+ C when accumulate), row-major.
void Gemm(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, bool accumulate) {
  if (m == 0 || n == 0) return;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0f, a,
              static_cast<int>(k), b, static_cast<int>(n), accumulate ? 1.0f : 0.0f, c, static_cast<int>(n));
}

// Row-wise c[r, :] += bias, then optionally SiLU.
void AddBias(float* c, const float* bias, int64_t rows, int64_t cols, bool silu) {
  for (int64_t r = 0; r < rows; r++) {
    float* row = c + r * cols;
    for (int64_t f = 0; f < cols; f++) row[f] += bias[f];
  }
  if (silu) SiluInPlace(c, rows * cols);
}

struct EdgeMlpWeights {
  const float *wReceiver, *wSender, *wAttr, *b0, *w1, *b1;
};

struct BlockWeights {
  EdgeMlpWeights edge;
  const float *attentionW, *attentionB;
  const float *nodeWh, *nodeWm, *nodeB0, *nodeW1, *nodeB1;
  EdgeMlpWeights coord;
  const float* coordW2;
};

// Sizes of the weights in `dynamicsParamShapes` order; `Take` hands out consecutive views.
struct WeightReader {
  const float* next;
  const float* Take(int64_t count) {
    const float* view = next;
    next += count;
    return view;
  }
};

int64_t WeightCount(int64_t nodeIn, int64_t f, int64_t layers) {
  const int64_t edgeMlp = 2 * f * f + 2 * f + f + f * f + f;  // w_receiver, w_sender, w_attr [2, F], b0, w1, b1
  const int64_t block = edgeMlp + f + 1 + (2 * f * f + f + f * f + f) + edgeMlp + f;
  return nodeIn * f + f + layers * block + f * nodeIn + nodeIn;
}

EdgeMlpWeights ReadEdgeMlp(WeightReader& r, int64_t f) {
  EdgeMlpWeights w{};
  w.wReceiver = r.Take(f * f);
  w.wSender = r.Take(f * f);
  w.wAttr = r.Take(2 * f);
  w.b0 = r.Take(f);
  w.w1 = r.Take(f * f);
  w.b1 = r.Take(f);
  return w;
}

struct Buffers {
  std::vector<float> a, b, p, q, aggregated, nodeHidden, d2, d2Input, direction, shift;
};

// q = silu(silu(A[dst] + B[src] + a_ij W_a + b0) W1 + b1): the first two layers of φ_e or φ_x, [nEdges, F].
void EdgeMlp(const EdgeMlpWeights& w, const float* h, int64_t nAtoms, int64_t nEdges, int64_t f, const int32_t* src,
             const int32_t* dst, Buffers& buf) {
  Gemm(h, w.wReceiver, buf.a.data(), nAtoms, f, f, false);  // [nAtoms, F]
  Gemm(h, w.wSender, buf.b.data(), nAtoms, f, f, false);    // [nAtoms, F]
  for (int64_t e = 0; e < nEdges; e++) {
    const float* ai = buf.a.data() + static_cast<int64_t>(dst[e]) * f;
    const float* bj = buf.b.data() + static_cast<int64_t>(src[e]) * f;
    const float d2 = buf.d2[e], d2Input = buf.d2Input[e];
    float* pe = buf.p.data() + e * f;
    for (int64_t k = 0; k < f; k++) pe[k] = ai[k] + bj[k] + d2 * w.wAttr[k] + d2Input * w.wAttr[f + k] + w.b0[k];
  }
  SiluInPlace(buf.p.data(), nEdges * f);
  Gemm(buf.p.data(), w.w1, buf.q.data(), nEdges, f, f, false);  // [nEdges, F]
  AddBias(buf.q.data(), w.b1, nEdges, f, true);
}

struct Problem {
  int64_t nAtoms = 0, nEdges = 0, nodeIn = 0, f = 0, layers = 0;
  float rangePerLayer = 0, normConstant = 0, norm = 0;
  const float *nodeInput = nullptr, *x = nullptr, *weights = nullptr;
  const int32_t *src = nullptr, *dst = nullptr;
  float *outX = nullptr, *outH = nullptr;
};

void Run(const Problem& pr) {
  const int64_t n = pr.nAtoms, e = pr.nEdges, f = pr.f;
  WeightReader reader{pr.weights};
  const float* embeddingW = reader.Take(pr.nodeIn * f);
  const float* embeddingB = reader.Take(f);
  std::vector<BlockWeights> blocks(static_cast<size_t>(pr.layers));
  for (auto& blk : blocks) {
    blk.edge = ReadEdgeMlp(reader, f);
    blk.attentionW = reader.Take(f);
    blk.attentionB = reader.Take(1);
    blk.nodeWh = reader.Take(f * f);
    blk.nodeWm = reader.Take(f * f);
    blk.nodeB0 = reader.Take(f);
    blk.nodeW1 = reader.Take(f * f);
    blk.nodeB1 = reader.Take(f);
    blk.coord = ReadEdgeMlp(reader, f);
    blk.coordW2 = reader.Take(f);
  }
  const float* outputW = reader.Take(f * pr.nodeIn);
  const float* outputB = reader.Take(pr.nodeIn);

  Buffers buf;
  buf.a.resize(n * f);
  buf.b.resize(n * f);
  buf.p.resize(e * f);
  buf.q.resize(e * f);
  buf.aggregated.resize(n * f);
  buf.nodeHidden.resize(n * f);
  buf.d2.resize(e);
  buf.d2Input.resize(e);
  buf.direction.resize(e * 3);
  buf.shift.resize(n * 3);
  std::vector<float> h(n * f);
  std::vector<float> x(pr.x, pr.x + n * 3);

  Gemm(pr.nodeInput, embeddingW, h.data(), n, f, pr.nodeIn, false);  // [nAtoms, F]
  AddBias(h.data(), embeddingB, n, f, false);
  for (int64_t k = 0; k < e; k++) {
    const float* xi = pr.x + 3 * static_cast<int64_t>(pr.dst[k]);
    const float* xj = pr.x + 3 * static_cast<int64_t>(pr.src[k]);
    const float dx = xi[0] - xj[0], dy = xi[1] - xj[1], dz = xi[2] - xj[2];
    buf.d2Input[k] = dx * dx + dy * dy + dz * dz;
  }
  for (const auto& blk : blocks) {
    for (int64_t k = 0; k < e; k++) {  // r_ij, d²_ij, r_ij / (|r_ij| + c) from this block's positions
      const float* xi = x.data() + 3 * static_cast<int64_t>(pr.dst[k]);
      const float* xj = x.data() + 3 * static_cast<int64_t>(pr.src[k]);
      const float dx = xi[0] - xj[0], dy = xi[1] - xj[1], dz = xi[2] - xj[2];
      const float d2 = dx * dx + dy * dy + dz * dz;
      const float scale = 1.0f / (std::sqrt(d2 + 1e-8f) + pr.normConstant);
      buf.d2[k] = d2;
      buf.direction[3 * k] = dx * scale;
      buf.direction[3 * k + 1] = dy * scale;
      buf.direction[3 * k + 2] = dz * scale;
    }
    // GCL: edge model with attention, summed at the receiver.
    EdgeMlp(blk.edge, h.data(), n, e, f, pr.src, pr.dst, buf);
    std::fill(buf.aggregated.begin(), buf.aggregated.end(), 0.0f);
    for (int64_t k = 0; k < e; k++) {
      const float* qe = buf.q.data() + k * f;
      float logit = blk.attentionB[0];
      for (int64_t c = 0; c < f; c++) logit += qe[c] * blk.attentionW[c];
      const float weight = Sigmoid(logit) * pr.norm;
      float* agg = buf.aggregated.data() + static_cast<int64_t>(pr.dst[k]) * f;
      for (int64_t c = 0; c < f; c++) agg[c] += qe[c] * weight;
    }
    // Residual node model: h += silu(h W_h + m W_m + b0) W1 + b1.
    Gemm(h.data(), blk.nodeWh, buf.nodeHidden.data(), n, f, f, false);
    Gemm(buf.aggregated.data(), blk.nodeWm, buf.nodeHidden.data(), n, f, f, true);
    AddBias(buf.nodeHidden.data(), blk.nodeB0, n, f, true);
    Gemm(buf.nodeHidden.data(), blk.nodeW1, buf.a.data(), n, f, f, false);
    for (int64_t i = 0; i < n; i++) {
      for (int64_t c = 0; c < f; c++) h[i * f + c] += buf.a[i * f + c] + blk.nodeB1[c];
    }
    // Equivariant coordinate update on the new h.
    EdgeMlp(blk.coord, h.data(), n, e, f, pr.src, pr.dst, buf);
    std::fill(buf.shift.begin(), buf.shift.end(), 0.0f);
    for (int64_t k = 0; k < e; k++) {
      const float* qe = buf.q.data() + k * f;
      float s = 0;
      for (int64_t c = 0; c < f; c++) s += qe[c] * blk.coordW2[c];
      const float weight = std::tanh(s) * pr.rangePerLayer * pr.norm;
      float* shift = buf.shift.data() + 3 * static_cast<int64_t>(pr.dst[k]);
      for (int c = 0; c < 3; c++) shift[c] += buf.direction[3 * k + c] * weight;
    }
    for (int64_t i = 0; i < 3 * n; i++) x[i] += buf.shift[i];
  }
  Gemm(h.data(), outputW, pr.outH, n, pr.nodeIn, f, false);  // [nAtoms, nodeIn]
  AddBias(pr.outH, outputB, n, pr.nodeIn, false);
  for (int64_t i = 0; i < 3 * n; i++) pr.outX[i] = x[i];
}

template <class T>
bool Expect(napi_env env, napi_value value, napi_typedarray_type type, const char* name, int64_t want, T** data) {
  size_t length = 0;
  if (!GetTypedArray(env, kOp, value, type, name, data, &length)) return false;
  if (static_cast<int64_t>(length) != want) {
    ThrowFrom(env, kOp, std::string(name) + " has " + std::to_string(length) + " elements, expected " + std::to_string(want), true);
    return false;
  }
  return true;
}

napi_value EgnnDenoiser(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value args[9];
  if (napi_get_cb_info(env, info, &argc, args, nullptr, nullptr) != napi_ok || argc != 9) {
    return ThrowFrom(env, kOp, "expects 9 arguments (sizes, scalars, nodeInput, x, edgeSrc, edgeDst, weights, outX, outH)");
  }
  int32_t* sizes = nullptr;
  float* scalars = nullptr;
  if (!Expect(env, args[0], napi_int32_array, "sizes", 5, &sizes)) return nullptr;
  if (!Expect(env, args[1], napi_float32_array, "scalars", 3, &scalars)) return nullptr;
  Problem pr;
  pr.nAtoms = sizes[0];
  pr.nEdges = sizes[1];
  pr.nodeIn = sizes[2];
  pr.f = sizes[3];
  pr.layers = sizes[4];
  if (pr.nAtoms < 0 || pr.nEdges < 0 || pr.nodeIn < 1 || pr.f < 1 || pr.layers < 0 || pr.f > 65536 || pr.nodeIn > 65536) {
    return ThrowFrom(env, kOp, "sizes must be nAtoms ≥ 0, nEdges ≥ 0, nodeIn ≥ 1, features ≥ 1, layers ≥ 0", true);
  }
  pr.rangePerLayer = scalars[0];
  pr.normConstant = scalars[1];
  pr.norm = scalars[2];
  float *nodeInput = nullptr, *x = nullptr, *weights = nullptr, *outX = nullptr, *outH = nullptr;
  int32_t *src = nullptr, *dst = nullptr;
  if (!Expect(env, args[2], napi_float32_array, "nodeInput", pr.nAtoms * pr.nodeIn, &nodeInput)) return nullptr;
  if (!Expect(env, args[3], napi_float32_array, "x", pr.nAtoms * 3, &x)) return nullptr;
  if (!Expect(env, args[4], napi_int32_array, "edgeSrc", pr.nEdges, &src)) return nullptr;
  if (!Expect(env, args[5], napi_int32_array, "edgeDst", pr.nEdges, &dst)) return nullptr;
  if (!Expect(env, args[6], napi_float32_array, "weights", WeightCount(pr.nodeIn, pr.f, pr.layers), &weights)) return nullptr;
  if (!Expect(env, args[7], napi_float32_array, "outX", pr.nAtoms * 3, &outX)) return nullptr;
  if (!Expect(env, args[8], napi_float32_array, "outH", pr.nAtoms * pr.nodeIn, &outH)) return nullptr;
  for (int64_t k = 0; k < pr.nEdges; k++) {
    if (src[k] < 0 || src[k] >= pr.nAtoms || dst[k] < 0 || dst[k] >= pr.nAtoms) {
      return ThrowFrom(env, kOp, "edge " + std::to_string(k) + " refers to an atom outside [0, " + std::to_string(pr.nAtoms) + ")", true);
    }
  }
  pr.nodeInput = nodeInput;
  pr.x = x;
  pr.weights = weights;
  pr.src = src;
  pr.dst = dst;
  pr.outX = outX;
  pr.outH = outH;
  Run(pr);
  return nullptr;
}

}  // namespace

bool RegisterEgnnDenoiser(napi_env env, napi_value exports) { return ExportFunction(env, exports, kOp, EgnnDenoiser); }

}  // namespace equimol
