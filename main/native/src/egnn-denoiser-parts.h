// What the forward (egnn-denoiser.cc) and backward (egnn-denoiser-backward.cc) passes of EDM's EGNN denoiser share:
// the problem's sizes and arrays, views of the packed weights (and of their gradients, same layout), the tape of
// intermediates the forward records for the backward, and the dense-algebra helpers.
#pragma once
#include <node_api.h>

#include <cblas.h>
#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

#include <cstdint>
#include <vector>

// No other pointer reaches what this one does (lets the compiler vectorise the edge loops).
#define EQUIMOL_RESTRICT __restrict

namespace equimol {
namespace egnn {

struct Problem {
  int64_t nAtoms = 0, nEdges = 0, nodeIn = 0, f = 0, layers = 0;
  float rangePerLayer = 0, normConstant = 0, norm = 0;
  const float *nodeInput = nullptr, *x = nullptr;
  const int32_t *src = nullptr, *dst = nullptr;
};

// One of φ_e / φ_x: first layer on [h_i, h_j, a_ij] split as W_receiver, W_sender, W_attr [2, F], b0; then W1, b1.
struct EdgeMlpWeights {
  float *wReceiver, *wSender, *wAttr, *b0, *w1, *b1;
};

struct BlockWeights {
  EdgeMlpWeights edge;
  float *attentionW, *attentionB;
  float *nodeWh, *nodeWm, *nodeB0, *nodeW1, *nodeB1;
  EdgeMlpWeights coord;
  float* coordW2;
};

// Views of a packed array in `dynamicsParamShapes` order (core/generative/edm/dynamics.ts): the weights, or their
// gradients in the same layout.
struct Weights {
  float *embeddingW, *embeddingB;
  std::vector<BlockWeights> blocks;
  float *outputW, *outputB;
};

int64_t WeightCount(int64_t nodeIn, int64_t f, int64_t layers);
Weights ViewWeights(float* packed, int64_t nodeIn, int64_t f, int64_t layers);

// What block l's forward records: its input h and x, d²_ij, the pre-activations z of both edge MLPs' layers and of
// the node model with σ(z) of each (SiLU and its derivative are z·σ and σ(1 + z(1 − σ))), the attention, the
// aggregated messages, the output h and the coordinate MLP's last pre-activation ℓ_ij (before tanh).
struct TapeBlock {
  float *hIn, *xIn, *d2, *preEdge, *preEdgeHidden, *attention, *messages, *preNode, *hOut, *preCoord, *preCoordHidden, *coordLogit;
  float *sigmoidEdge, *sigmoidEdgeHidden, *sigmoidNode, *sigmoidCoord, *sigmoidCoordHidden;
};

struct Tape {
  float* d2Input;  // [nEdges] d²_ij of the input positions
  std::vector<TapeBlock> blocks;
};

// Floats of a tape for `blocks` blocks.
int64_t TapeCount(int64_t nAtoms, int64_t nEdges, int64_t f, int64_t blocks);
Tape ViewTape(float* tape, int64_t nAtoms, int64_t nEdges, int64_t f, int64_t blocks);

// The forward pass; `tape` has one block per layer (training) or one block reused by every layer (inference).
void Forward(const Problem& pr, const Weights& w, const Tape& tape, float* outX, float* outH);

// out[k] = σ(z[k]) (vectorised on x86-64, see egnn-denoiser.cc).
void SigmoidInto(const float* z, float* out, int64_t count);
// silu[k] = z[k] · σ(z[k]) with σ(z[k]) into sigmoid[k].
void SiluAndSigmoid(const float* z, int64_t count, float* silu, float* sigmoid);

// C[m, n] (+)= op(A) · op(B), row-major; op(A) is [m, k], op(B) is [k, n].
inline void Gemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c, bool accumulate) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (!accumulate) for (int64_t i = 0; i < m * n; i++) c[i] = 0;
    return;
  }
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, static_cast<int>(m),
              static_cast<int>(n), static_cast<int>(k), 1.0f, a, static_cast<int>(transA ? m : k), b,
              static_cast<int>(transB ? k : n), accumulate ? 1.0f : 0.0f, c, static_cast<int>(n));
}

// Flush-to-zero and denormals-are-zero while the kernel runs (x86-64), restoring the caller's MXCSR after: tiny
// sigmoids of very negative pre-activations (an untrained network's) would otherwise make denormal floats that
// slow every later product several-fold. Values below 1.2e-38 become 0; nothing else changes.
class FlushDenormals {
 public:
#if defined(__SSE2__)
  FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040); }  // FTZ (bit 15) | DAZ (bit 6)
  ~FlushDenormals() { _mm_setcsr(saved_); }

 private:
  unsigned int saved_;
#endif
};

// Problem from the first six N-API arguments (sizes, scalars, nodeInput, x, edgeSrc, edgeDst) and checks the weights'
// length; false with a JS exception pending (TypeError / RangeError naming `op`) otherwise.
bool ReadProblem(napi_env env, const char* op, napi_value* args, napi_value weights, Problem* pr, float** packed);

// `value` as a Float32Array of exactly `want` elements.
bool ExpectFloats(napi_env env, const char* op, napi_value value, const char* name, int64_t want, float** data);

}  // namespace egnn
}  // namespace equimol
