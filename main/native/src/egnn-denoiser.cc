// Fused forward pass of EDM's EGNN denoiser (core/generative/edm/dynamics.ts, `predictNoise`; Hoogeboom et al. 2022,
// App. B): the whole network in one call on host arrays, with no intermediate tensors; for sampling, and for training
// with the tape its backward reads. Per block l (receiver i = dst, sender j = src, r_ij = x_i − x_j, a_ij = [d²_ij, d²_ij(input)]):
//
//   P_ij   = silu(A_i + B_j + a_ij W_a + b0),  A = h W_receiver, B = h W_sender            [nEdges, F]
//   m_ij   = silu(P_ij W1 + b1) · sigmoid(m_ij w_att + b_att)                              [nEdges, F]
//   h_i   += silu(h_i W_h + (norm Σ_j m_ij) W_m + b0) W1 + b1                             [nAtoms, F]
//   x_i   += norm Σ_j r_ij / (√(d²_ij + 1e-8) + c) · tanh(silu(P'_ij W1' + b1') w2) · range  (P' as P on the new h)
//
// with h = embedding(nodeInput) first and outH = h_L W_out + b_out last; outX = x_L (the caller takes ε̂_x = x_L − x
// with the mean removed, and ε̂_h = outH[:, :nf], as the tfjs composition does).
//
// egnnDenoiser(sizes, scalars, nodeInput, x, edgeSrc, edgeDst, weights, outX, outH, tape)
//   sizes: Int32Array [nAtoms, nEdges, nodeIn, features F, layers L]; scalars: Float32Array [range per layer, c, norm];
//   nodeInput: [nAtoms·nodeIn]; x: [nAtoms·3]; edgeSrc, edgeDst: Int32Array [nEdges] in [0, nAtoms);
//   weights: Float32Array, every parameter row-major in `dynamicsParamShapes` order (embedding/w, embedding/b, per block
//   edge/w_receiver, w_sender, w_attr, b0, w1, b1, attention/w, b, node/w_h, w_m, b0, w1, b1, coord/w_receiver,
//   w_sender, w_attr, b0, w1, b1, w2; output/w, output/b); outX [nAtoms·3], outH [nAtoms·nodeIn], overwritten;
//   tape: an empty Float32Array (inference), or one of egnnDenoiserTapeSize(sizes) floats that the pass fills with
//   what egnnDenoiserBackward (egnn-denoiser-backward.cc) needs.
//   Everything is validated before any write (TypeError / RangeError). Matrix products are OpenBLAS sgemm (its own
//   thread setting); the edge loops run on one thread.
#include "egnn-denoiser.h"
#include "egnn-denoiser-parts.h"
#include "napi-args.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace equimol {
namespace egnn {

// σ(z) = 1 / (1 + e^{−z}) vectorised: e^v with v = −z clamped to [−87, 88], v = n·ln2 + r (ln2 split in two),
// e^r by its degree-6 Taylor polynomial on |r| ≤ ln2/2 (relative error of the SiLU below 3e-7 against double
// precision), 2^n put into the exponent bits; NaN in, NaN out. Eight at a time with AVX2 + FMA where the CPU has
// them (checked once at run time), else four with SSE2 (every x86-64), else std::exp; std::exp for the tail.
namespace {

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define EQUIMOL_HAVE_AVX2_PATH 1
__attribute__((target("avx2,fma"))) int64_t SigmoidAvx2(const float* z, float* out, int64_t count) {
  const __m256 lo = _mm256_set1_ps(-87.0f), hi = _mm256_set1_ps(88.0f), log2e = _mm256_set1_ps(1.44269504088896341f);
  const __m256 ln2Hi = _mm256_set1_ps(0.693359375f), ln2Lo = _mm256_set1_ps(-2.12194440e-4f), one = _mm256_set1_ps(1.0f);
  const __m256 c6 = _mm256_set1_ps(1.0f / 720), c5 = _mm256_set1_ps(1.0f / 120), c4 = _mm256_set1_ps(1.0f / 24);
  const __m256 c3 = _mm256_set1_ps(1.0f / 6), c2 = _mm256_set1_ps(0.5f);
  int64_t k = 0;
  for (; k + 8 <= count; k += 8) {
    const __m256 zk = _mm256_loadu_ps(z + k);
    const __m256 v = _mm256_min_ps(_mm256_max_ps(_mm256_sub_ps(_mm256_setzero_ps(), zk), lo), hi);
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(v, log2e), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m256 r = _mm256_fnmadd_ps(n, ln2Lo, _mm256_fnmadd_ps(n, ln2Hi, v));
    __m256 p = _mm256_fmadd_ps(c6, r, c5);
    p = _mm256_fmadd_ps(p, r, c4);
    p = _mm256_fmadd_ps(p, r, c3);
    p = _mm256_fmadd_ps(p, r, c2);
    p = _mm256_fmadd_ps(p, r, one);
    p = _mm256_fmadd_ps(p, r, one);
    const __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23));
    const __m256 sigmoid = _mm256_div_ps(one, _mm256_fmadd_ps(p, scale, one));
    const __m256 isNan = _mm256_cmp_ps(zk, zk, _CMP_UNORD_Q);
    _mm256_storeu_ps(out + k, _mm256_blendv_ps(sigmoid, zk, isNan));
  }
  return k;
}

bool CpuHasAvx2() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}
#endif

}  // namespace

void SigmoidInto(const float* z, float* out, int64_t count) {
  int64_t k = 0;
#if defined(EQUIMOL_HAVE_AVX2_PATH)
  if (CpuHasAvx2()) k = SigmoidAvx2(z, out, count);
#endif
#if defined(__SSE2__)
  const __m128 lo = _mm_set1_ps(-87.0f), hi = _mm_set1_ps(88.0f), log2e = _mm_set1_ps(1.44269504088896341f);
  const __m128 ln2Hi = _mm_set1_ps(0.693359375f), ln2Lo = _mm_set1_ps(-2.12194440e-4f), one = _mm_set1_ps(1.0f);
  const __m128 c6 = _mm_set1_ps(1.0f / 720), c5 = _mm_set1_ps(1.0f / 120), c4 = _mm_set1_ps(1.0f / 24), c3 = _mm_set1_ps(1.0f / 6);
  const __m128 c2 = _mm_set1_ps(0.5f);
  for (; k + 4 <= count; k += 4) {
    const __m128 zk = _mm_loadu_ps(z + k);
    const __m128 v = _mm_min_ps(_mm_max_ps(_mm_sub_ps(_mm_setzero_ps(), zk), lo), hi);
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
    const __m128 sigmoid = _mm_div_ps(one, _mm_add_ps(one, _mm_mul_ps(p, scale)));
    const __m128 isNan = _mm_cmpunord_ps(zk, zk);
    _mm_storeu_ps(out + k, _mm_or_ps(_mm_andnot_ps(isNan, sigmoid), _mm_and_ps(isNan, zk)));
  }
#endif
  for (; k < count; k++) out[k] = 1.0f / (1.0f + std::exp(-z[k]));
}

void SiluAndSigmoid(const float* EQUIMOL_RESTRICT z, int64_t count, float* EQUIMOL_RESTRICT silu, float* EQUIMOL_RESTRICT sigmoid) {
  SigmoidInto(z, sigmoid, count);
  for (int64_t k = 0; k < count; k++) silu[k] = z[k] * sigmoid[k];
}

int64_t WeightCount(int64_t nodeIn, int64_t f, int64_t layers) {
  const int64_t edgeMlp = 2 * f * f + 2 * f + f + f * f + f;  // w_receiver, w_sender, w_attr [2, F], b0, w1, b1
  const int64_t block = edgeMlp + f + 1 + (2 * f * f + f + f * f + f) + edgeMlp + f;
  return nodeIn * f + f + layers * block + f * nodeIn + nodeIn;
}

namespace {

constexpr const char* kOp = "egnnDenoiser";

struct Cursor {
  float* next;
  float* Take(int64_t count) {
    float* view = next;
    next += count;
    return view;
  }
};

EdgeMlpWeights ViewEdgeMlp(Cursor& c, int64_t f) {
  EdgeMlpWeights w{};
  w.wReceiver = c.Take(f * f);
  w.wSender = c.Take(f * f);
  w.wAttr = c.Take(2 * f);
  w.b0 = c.Take(f);
  w.w1 = c.Take(f * f);
  w.b1 = c.Take(f);
  return w;
}

// Row-wise c[r, :] += bias.
void AddBias(float* c, const float* EQUIMOL_RESTRICT bias, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; r++) {
    float* EQUIMOL_RESTRICT row = c + r * cols;
    for (int64_t k = 0; k < cols; k++) row[k] += bias[k];
  }
}

struct Scratch {
  std::vector<float> a, b, p, q, nodeHidden, direction, shift, logit;
};

// pre = A[dst] + B[src] + a_ij W_a + b0 (A = h W_receiver, B = h W_sender); preHidden = silu(pre) W1 + b1;
// q = silu(preHidden): φ_e's or φ_x's first two layers, [nEdges, F]; σ of both pre-activations into the tape.
void EdgeMlp(const Problem& pr, const EdgeMlpWeights& w, const float* h, const float* d2, const float* d2Input, float* pre,
             float* preHidden, float* sigmoidPre, float* sigmoidHidden, Scratch& s) {
  const int64_t n = pr.nAtoms, e = pr.nEdges, f = pr.f;
  Gemm(false, false, n, f, f, h, w.wReceiver, s.a.data(), false);  // [nAtoms, F]
  Gemm(false, false, n, f, f, h, w.wSender, s.b.data(), false);    // [nAtoms, F]
  const float* EQUIMOL_RESTRICT wAttr = w.wAttr;
  const float* EQUIMOL_RESTRICT b0 = w.b0;
  for (int64_t k = 0; k < e; k++) {
    const float* EQUIMOL_RESTRICT ai = s.a.data() + static_cast<int64_t>(pr.dst[k]) * f;
    const float* EQUIMOL_RESTRICT bj = s.b.data() + static_cast<int64_t>(pr.src[k]) * f;
    float* EQUIMOL_RESTRICT pk = pre + k * f;
    const float d2k = d2[k], d2Inputk = d2Input[k];
    for (int64_t c = 0; c < f; c++) pk[c] = ai[c] + bj[c] + d2k * wAttr[c] + d2Inputk * wAttr[f + c] + b0[c];
  }
  SiluAndSigmoid(pre, e * f, s.p.data(), sigmoidPre);
  Gemm(false, false, e, f, f, s.p.data(), w.w1, preHidden, false);  // [nEdges, F]
  AddBias(preHidden, w.b1, e, f);
  SiluAndSigmoid(preHidden, e * f, s.q.data(), sigmoidHidden);
}

}  // namespace

Weights ViewWeights(float* packed, int64_t nodeIn, int64_t f, int64_t layers) {
  Cursor c{packed};
  Weights w;
  w.embeddingW = c.Take(nodeIn * f);
  w.embeddingB = c.Take(f);
  w.blocks.resize(static_cast<size_t>(layers));
  for (auto& blk : w.blocks) {
    blk.edge = ViewEdgeMlp(c, f);
    blk.attentionW = c.Take(f);
    blk.attentionB = c.Take(1);
    blk.nodeWh = c.Take(f * f);
    blk.nodeWm = c.Take(f * f);
    blk.nodeB0 = c.Take(f);
    blk.nodeW1 = c.Take(f * f);
    blk.nodeB1 = c.Take(f);
    blk.coord = ViewEdgeMlp(c, f);
    blk.coordW2 = c.Take(f);
  }
  w.outputW = c.Take(f * nodeIn);
  w.outputB = c.Take(nodeIn);
  return w;
}

int64_t TapeCount(int64_t nAtoms, int64_t nEdges, int64_t f, int64_t blocks) {
  const int64_t perBlock = 5 * nAtoms * f + 3 * nAtoms + 8 * nEdges * f + 3 * nEdges;
  return nEdges + blocks * perBlock;
}

Tape ViewTape(float* tape, int64_t nAtoms, int64_t nEdges, int64_t f, int64_t blocks) {
  Cursor c{tape};
  Tape t;
  t.d2Input = c.Take(nEdges);
  t.blocks.resize(static_cast<size_t>(blocks));
  for (auto& b : t.blocks) {
    b.hIn = c.Take(nAtoms * f);
    b.xIn = c.Take(nAtoms * 3);
    b.d2 = c.Take(nEdges);
    b.preEdge = c.Take(nEdges * f);
    b.preEdgeHidden = c.Take(nEdges * f);
    b.attention = c.Take(nEdges);
    b.messages = c.Take(nAtoms * f);
    b.preNode = c.Take(nAtoms * f);
    b.hOut = c.Take(nAtoms * f);
    b.preCoord = c.Take(nEdges * f);
    b.preCoordHidden = c.Take(nEdges * f);
    b.coordLogit = c.Take(nEdges);
    b.sigmoidEdge = c.Take(nEdges * f);
    b.sigmoidEdgeHidden = c.Take(nEdges * f);
    b.sigmoidNode = c.Take(nAtoms * f);
    b.sigmoidCoord = c.Take(nEdges * f);
    b.sigmoidCoordHidden = c.Take(nEdges * f);
  }
  return t;
}

void Forward(const Problem& pr, const Weights& w, const Tape& tape, float* outX, float* outH) {
  const int64_t n = pr.nAtoms, e = pr.nEdges, f = pr.f;
  // Kept between calls (capacity only grows), so that a step does not allocate and page in its scratch again.
  static thread_local Scratch s;
  s.a.resize(n * f);
  s.b.resize(n * f);
  s.p.resize(e * f);
  s.q.resize(e * f);
  s.nodeHidden.resize(n * f);
  s.direction.resize(e * 3);
  s.shift.resize(n * 3);
  s.logit.resize(e);
  std::vector<float> h(n * f);
  std::vector<float> x(pr.x, pr.x + n * 3);

  Gemm(false, false, n, f, pr.nodeIn, pr.nodeInput, w.embeddingW, h.data(), false);  // [nAtoms, F]
  AddBias(h.data(), w.embeddingB, n, f);
  for (int64_t k = 0; k < e; k++) {
    const float* xi = pr.x + 3 * static_cast<int64_t>(pr.dst[k]);
    const float* xj = pr.x + 3 * static_cast<int64_t>(pr.src[k]);
    const float dx = xi[0] - xj[0], dy = xi[1] - xj[1], dz = xi[2] - xj[2];
    tape.d2Input[k] = dx * dx + dy * dy + dz * dz;
  }
  for (size_t l = 0; l < w.blocks.size(); l++) {
    const BlockWeights& blk = w.blocks[l];
    const TapeBlock& t = tape.blocks[tape.blocks.size() == 1 ? 0 : l];
    std::copy(h.begin(), h.end(), t.hIn);
    std::copy(x.begin(), x.end(), t.xIn);
    for (int64_t k = 0; k < e; k++) {  // r_ij, d²_ij, r_ij / (|r_ij| + c) from this block's positions
      const float* xi = x.data() + 3 * static_cast<int64_t>(pr.dst[k]);
      const float* xj = x.data() + 3 * static_cast<int64_t>(pr.src[k]);
      const float dx = xi[0] - xj[0], dy = xi[1] - xj[1], dz = xi[2] - xj[2];
      const float d2 = dx * dx + dy * dy + dz * dz;
      const float scale = 1.0f / (std::sqrt(d2 + 1e-8f) + pr.normConstant);
      t.d2[k] = d2;
      s.direction[3 * k] = dx * scale;
      s.direction[3 * k + 1] = dy * scale;
      s.direction[3 * k + 2] = dz * scale;
    }
    // GCL: edge model with attention, summed at the receiver.
    EdgeMlp(pr, blk.edge, h.data(), t.d2, tape.d2Input, t.preEdge, t.preEdgeHidden, t.sigmoidEdge, t.sigmoidEdgeHidden, s);
    std::fill(t.messages, t.messages + n * f, 0.0f);
    Gemm(false, false, e, 1, f, s.q.data(), blk.attentionW, s.logit.data(), false);  // [nEdges] q · w_att
    for (int64_t k = 0; k < e; k++) s.logit[k] += blk.attentionB[0];
    SigmoidInto(s.logit.data(), t.attention, e);
    for (int64_t k = 0; k < e; k++) {
      const float* EQUIMOL_RESTRICT qk = s.q.data() + k * f;
      const float weight = t.attention[k] * pr.norm;
      float* EQUIMOL_RESTRICT m = t.messages + static_cast<int64_t>(pr.dst[k]) * f;
      for (int64_t c = 0; c < f; c++) m[c] += qk[c] * weight;
    }
    // Residual node model: h += silu(h W_h + m W_m + b0) W1 + b1.
    Gemm(false, false, n, f, f, h.data(), blk.nodeWh, t.preNode, false);
    Gemm(false, false, n, f, f, t.messages, blk.nodeWm, t.preNode, true);
    AddBias(t.preNode, blk.nodeB0, n, f);
    SiluAndSigmoid(t.preNode, n * f, s.nodeHidden.data(), t.sigmoidNode);
    Gemm(false, false, n, f, f, s.nodeHidden.data(), blk.nodeW1, s.a.data(), false);
    for (int64_t i = 0; i < n; i++) {
      for (int64_t c = 0; c < f; c++) h[i * f + c] += s.a[i * f + c] + blk.nodeB1[c];
    }
    std::copy(h.begin(), h.end(), t.hOut);
    // Equivariant coordinate update on the new h.
    EdgeMlp(pr, blk.coord, h.data(), t.d2, tape.d2Input, t.preCoord, t.preCoordHidden, t.sigmoidCoord, t.sigmoidCoordHidden, s);
    std::fill(s.shift.begin(), s.shift.end(), 0.0f);
    Gemm(false, false, e, 1, f, s.q.data(), blk.coordW2, t.coordLogit, false);  // [nEdges] q' · w2
    for (int64_t k = 0; k < e; k++) {
      const float weight = std::tanh(t.coordLogit[k]) * pr.rangePerLayer * pr.norm;
      float* shift = s.shift.data() + 3 * static_cast<int64_t>(pr.dst[k]);
      for (int c = 0; c < 3; c++) shift[c] += s.direction[3 * k + c] * weight;
    }
    for (int64_t i = 0; i < 3 * n; i++) x[i] += s.shift[i];
  }
  Gemm(false, false, n, pr.nodeIn, f, h.data(), w.outputW, outH, false);  // [nAtoms, nodeIn]
  AddBias(outH, w.outputB, n, pr.nodeIn);
  std::copy(x.begin(), x.end(), outX);
}

bool ExpectFloats(napi_env env, const char* op, napi_value value, const char* name, int64_t want, float** data) {
  size_t length = 0;
  if (!GetTypedArray(env, op, value, napi_float32_array, name, data, &length)) return false;
  if (static_cast<int64_t>(length) != want) {
    ThrowFrom(env, op, std::string(name) + " has " + std::to_string(length) + " elements, expected " + std::to_string(want), true);
    return false;
  }
  return true;
}

bool ReadProblem(napi_env env, const char* op, napi_value* args, napi_value weights, Problem* pr, float** packed) {
  int32_t* sizes = nullptr;
  float* scalars = nullptr;
  size_t length = 0;
  if (!GetTypedArray(env, op, args[0], napi_int32_array, "sizes", &sizes, &length)) return false;
  if (length != 5) return ThrowFrom(env, op, "sizes must hold [nAtoms, nEdges, nodeIn, features, layers]", true), false;
  if (!ExpectFloats(env, op, args[1], "scalars", 3, &scalars)) return false;
  pr->nAtoms = sizes[0];
  pr->nEdges = sizes[1];
  pr->nodeIn = sizes[2];
  pr->f = sizes[3];
  pr->layers = sizes[4];
  if (pr->nAtoms < 0 || pr->nEdges < 0 || pr->nodeIn < 1 || pr->f < 1 || pr->layers < 0 || pr->f > 65536 || pr->nodeIn > 65536) {
    return ThrowFrom(env, op, "sizes must be nAtoms ≥ 0, nEdges ≥ 0, nodeIn ≥ 1, features ≥ 1, layers ≥ 0", true), false;
  }
  pr->rangePerLayer = scalars[0];
  pr->normConstant = scalars[1];
  pr->norm = scalars[2];
  float *nodeInput = nullptr, *x = nullptr;
  int32_t *src = nullptr, *dst = nullptr;
  if (!ExpectFloats(env, op, args[2], "nodeInput", pr->nAtoms * pr->nodeIn, &nodeInput)) return false;
  if (!ExpectFloats(env, op, args[3], "x", pr->nAtoms * 3, &x)) return false;
  for (int which = 0; which < 2; which++) {
    int32_t** edges = which == 0 ? &src : &dst;
    const char* name = which == 0 ? "edgeSrc" : "edgeDst";
    if (!GetTypedArray(env, op, args[4 + which], napi_int32_array, name, edges, &length)) return false;
    if (static_cast<int64_t>(length) != pr->nEdges) {
      return ThrowFrom(env, op, std::string(name) + " has " + std::to_string(length) + " elements, expected " + std::to_string(pr->nEdges), true), false;
    }
  }
  if (!ExpectFloats(env, op, weights, "weights", WeightCount(pr->nodeIn, pr->f, pr->layers), packed)) return false;
  for (int64_t k = 0; k < pr->nEdges; k++) {
    if (src[k] < 0 || src[k] >= pr->nAtoms || dst[k] < 0 || dst[k] >= pr->nAtoms) {
      return ThrowFrom(env, op, "edge " + std::to_string(k) + " refers to an atom outside [0, " + std::to_string(pr->nAtoms) + ")", true), false;
    }
  }
  pr->nodeInput = nodeInput;
  pr->x = x;
  pr->src = src;
  pr->dst = dst;
  return true;
}

namespace {

napi_value EgnnDenoiser(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value args[10];
  if (napi_get_cb_info(env, info, &argc, args, nullptr, nullptr) != napi_ok || argc != 10) {
    return ThrowFrom(env, kOp, "expects 10 arguments (sizes, scalars, nodeInput, x, edgeSrc, edgeDst, weights, outX, outH, tape)");
  }
  Problem pr;
  float *packed = nullptr, *outX = nullptr, *outH = nullptr, *tapeData = nullptr;
  if (!ReadProblem(env, kOp, args, args[6], &pr, &packed)) return nullptr;
  if (!ExpectFloats(env, kOp, args[7], "outX", pr.nAtoms * 3, &outX)) return nullptr;
  if (!ExpectFloats(env, kOp, args[8], "outH", pr.nAtoms * pr.nodeIn, &outH)) return nullptr;
  size_t tapeLength = 0;
  if (!GetTypedArray(env, kOp, args[9], napi_float32_array, "tape", &tapeData, &tapeLength)) return nullptr;
  const int64_t full = TapeCount(pr.nAtoms, pr.nEdges, pr.f, pr.layers);
  if (tapeLength != 0 && static_cast<int64_t>(tapeLength) != full) {
    return ThrowFrom(env, kOp, "tape has " + std::to_string(tapeLength) + " elements, expected 0 (inference) or " + std::to_string(full), true);
  }
  const Weights w = ViewWeights(packed, pr.nodeIn, pr.f, pr.layers);
  static thread_local std::vector<float> oneBlock;  // the inference pass's one-block tape, kept between calls
  if (tapeLength == 0) {
    oneBlock.resize(static_cast<size_t>(TapeCount(pr.nAtoms, pr.nEdges, pr.f, 1)));
    tapeData = oneBlock.data();
  }
  const FlushDenormals flush;
  Forward(pr, w, ViewTape(tapeData, pr.nAtoms, pr.nEdges, pr.f, tapeLength == 0 ? 1 : pr.layers), outX, outH);
  return nullptr;
}

napi_value EgnnDenoiserTapeSize(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  int32_t* sizes = nullptr;
  size_t length = 0;
  if (napi_get_cb_info(env, info, &argc, args, nullptr, nullptr) != napi_ok || argc != 1) return ThrowFrom(env, "egnnDenoiserTapeSize", "expects sizes");
  if (!GetTypedArray(env, "egnnDenoiserTapeSize", args[0], napi_int32_array, "sizes", &sizes, &length)) return nullptr;
  if (length != 5 || sizes[0] < 0 || sizes[1] < 0 || sizes[3] < 1 || sizes[4] < 0) return ThrowFrom(env, "egnnDenoiserTapeSize", "sizes must hold [nAtoms, nEdges, nodeIn, features, layers]", true);
  napi_value result;
  napi_create_double(env, static_cast<double>(TapeCount(sizes[0], sizes[1], sizes[3], sizes[4])), &result);
  return result;
}

}  // namespace
}  // namespace egnn

bool RegisterEgnnDenoiser(napi_env env, napi_value exports) {
  return ExportFunction(env, exports, "egnnDenoiser", egnn::EgnnDenoiser) &&
         ExportFunction(env, exports, "egnnDenoiserTapeSize", egnn::EgnnDenoiserTapeSize) &&
         RegisterEgnnDenoiserBackward(env, exports);
}

}  // namespace equimol
