// Backward pass of EDM's EGNN denoiser (the forward is egnn-denoiser.cc): from dL/dx_L and dL/d(outH), the gradients
// of every weight, of the node input and of the input positions, reading the tape the forward recorded. Reverse mode
// through the forward's steps, block by block from the last (r_ij = x_i − x_j, ρ = √(d² + 1e-8), s = 1/(ρ + c),
// silu'(z) = σ(z)(1 + z(1 − σ(z)))):
//
//   x_out = x_in + norm Σ_j r_ij s_ij tanh(ℓ_ij)·range,  ℓ_ij = silu(silu(P'_ij) W1' + b1') · w2
//   h_out = h_in + silu(h_in W_h + m W_m + b0) W1 + b1,  m_i = norm Σ_j q_ij σ(q_ij · w_att + b_att)
//   q_ij = silu(silu(pre_ij) W1 + b1),  pre_ij = h_i W_receiver + h_j W_sender + d²_ij W_attr[0] + d²⁰_ij W_attr[1] + b0
//
// with ∂(r s)/∂r = s I − (s²/ρ) r rᵀ and ∂d²/∂r = 2r; d²⁰ (the input positions' distances) gives the input positions
// their last term. Matrix products are OpenBLAS sgemm; the edge loops run on one thread.
//
// egnnDenoiserBackward(sizes, scalars, nodeInput, x, edgeSrc, edgeDst, weights, tape, gradOutX, gradOutH,
//                      gradWeights, gradNodeInput, gradX)
//   the first seven and tape as egnnDenoiser's forward (a full tape from it, same inputs and weights);
//   gradOutX [nAtoms·3] = dL/dx_L, gradOutH [nAtoms·nodeIn] = dL/d(outH); gradWeights (packed like weights),
//   gradNodeInput [nAtoms·nodeIn] and gradX [nAtoms·3] are overwritten. Validated before any write.
#include "egnn-denoiser.h"
#include "egnn-denoiser-parts.h"
#include "napi-args.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace equimol {
namespace egnn {
namespace {

constexpr const char* kOp = "egnnDenoiserBackward";

struct Scratch {
  std::vector<float> silu, dPre, dHidden, dA, dB, siluNode, dNode, dm, dd2, dd2Input, direction, dLogit, dDirection;
};

// Column sums: out[c] += Σ_r m[r, c].
void AddColumnSums(const float* EQUIMOL_RESTRICT m, int64_t rows, int64_t cols, float* EQUIMOL_RESTRICT out) {
  for (int64_t r = 0; r < rows; r++) {
    const float* EQUIMOL_RESTRICT row = m + r * cols;
    for (int64_t c = 0; c < cols; c++) out[c] += row[c];
  }
}

// out[k] = a[k] · b[k] (silu(z) from z and σ(z)).
void Times(const float* EQUIMOL_RESTRICT a, const float* EQUIMOL_RESTRICT b, int64_t count, float* EQUIMOL_RESTRICT out) {
  for (int64_t k = 0; k < count; k++) out[k] = a[k] * b[k];
}

// Given σ(z) in `sigmoid`: d ← d ⊙ silu'(z).
void TimesSiluDerivative(float* EQUIMOL_RESTRICT d, const float* EQUIMOL_RESTRICT z, const float* EQUIMOL_RESTRICT sigmoid, int64_t count) {
  for (int64_t k = 0; k < count; k++) d[k] *= sigmoid[k] * (1.0f + z[k] * (1.0f - sigmoid[k]));
}

// Through an edge MLP's two layers, from dL/dq ([nEdges, F], in s.dHidden) to the weights' gradients, dL/dh (added
// to dh, for the h the MLP read) and dL/d(d²), dL/d(d²⁰) (added to s.dd2, s.dd2Input).
void EdgeMlpBackward(const Problem& pr, const EdgeMlpWeights& w, EdgeMlpWeights& g, const float* h, const float* d2,
                     const float* d2Input, const float* pre, const float* preHidden, const float* sigmoidPre,
                     const float* sigmoidHidden, float* dh, Scratch& s) {
  const int64_t n = pr.nAtoms, e = pr.nEdges, f = pr.f;
  TimesSiluDerivative(s.dHidden.data(), preHidden, sigmoidHidden, e * f);  // dL/d(preHidden)
  Times(pre, sigmoidPre, e * f, s.silu.data());                              // P = silu(pre)
  Gemm(true, false, f, f, e, s.silu.data(), s.dHidden.data(), g.w1, true);     // [F, F]
  AddColumnSums(s.dHidden.data(), e, f, g.b1);
  Gemm(false, true, e, f, f, s.dHidden.data(), w.w1, s.dPre.data(), false);    // dL/dP [nEdges, F]
  TimesSiluDerivative(s.dPre.data(), pre, sigmoidPre, e * f);                // dL/d(pre)
  std::fill(s.dA.begin(), s.dA.end(), 0.0f);
  std::fill(s.dB.begin(), s.dB.end(), 0.0f);
  for (int64_t k = 0; k < e; k++) {  // pre_ij = A_i + B_j + …: scatter to receivers and senders
    const float* EQUIMOL_RESTRICT dp = s.dPre.data() + k * f;
    float* EQUIMOL_RESTRICT da = s.dA.data() + static_cast<int64_t>(pr.dst[k]) * f;
    for (int64_t c = 0; c < f; c++) da[c] += dp[c];
  }
  for (int64_t k = 0; k < e; k++) {
    const float* EQUIMOL_RESTRICT dp = s.dPre.data() + k * f;
    float* EQUIMOL_RESTRICT db = s.dB.data() + static_cast<int64_t>(pr.src[k]) * f;
    for (int64_t c = 0; c < f; c++) db[c] += dp[c];
  }
  Gemm(false, true, e, 1, f, s.dPre.data(), w.wAttr, s.dd2.data(), true);            // dL/d(d²) += dPre · W_attr[0]
  Gemm(false, true, e, 1, f, s.dPre.data(), w.wAttr + f, s.dd2Input.data(), true);   // dL/d(d²⁰) += dPre · W_attr[1]
  Gemm(true, false, 1, f, e, d2, s.dPre.data(), g.wAttr, true);                       // W_attr[0] += d²ᵀ dPre
  Gemm(true, false, 1, f, e, d2Input, s.dPre.data(), g.wAttr + f, true);              // W_attr[1] += d²⁰ᵀ dPre
  AddColumnSums(s.dPre.data(), e, f, g.b0);
  Gemm(true, false, f, f, n, h, s.dA.data(), g.wReceiver, true);  // [F, F]
  Gemm(true, false, f, f, n, h, s.dB.data(), g.wSender, true);
  Gemm(false, true, n, f, f, s.dA.data(), w.wReceiver, dh, true);  // dL/dh [nAtoms, F]
  Gemm(false, true, n, f, f, s.dB.data(), w.wSender, dh, true);
}

void Backward(const Problem& pr, const Weights& w, const Tape& tape, const float* gradOutX, const float* gradOutH, Weights& g,
              float* gradNodeInput, float* gradX) {
  const int64_t n = pr.nAtoms, e = pr.nEdges, f = pr.f;
  static thread_local Scratch s;  // kept between calls (capacity only grows)
  for (auto* v : {&s.silu, &s.dPre, &s.dHidden}) v->resize(e * f);
  for (auto* v : {&s.dA, &s.dB, &s.siluNode, &s.dNode, &s.dm}) v->resize(n * f);
  s.dd2.resize(e);
  s.dd2Input.assign(e, 0.0f);  // accumulated over the blocks
  s.direction.resize(e * 3);
  s.dLogit.resize(e);
  s.dDirection.resize(e * 3);
  std::vector<float> dh(n * f), dhIn(n * f), dx(gradOutX, gradOutX + n * 3), dxIn(n * 3);

  // Output layer: outH = h_L W_out + b_out.
  std::vector<float> h0;
  const float* hL = nullptr;
  if (w.blocks.empty()) {
    h0.resize(n * f);
    Gemm(false, false, n, f, pr.nodeIn, pr.nodeInput, w.embeddingW, h0.data(), false);
    for (int64_t i = 0; i < n; i++) for (int64_t c = 0; c < f; c++) h0[i * f + c] += w.embeddingB[c];
    hL = h0.data();
  } else {
    hL = tape.blocks.back().hOut;
  }
  Gemm(true, false, f, pr.nodeIn, n, hL, gradOutH, g.outputW, true);
  AddColumnSums(gradOutH, n, pr.nodeIn, g.outputB);
  Gemm(false, true, n, f, pr.nodeIn, gradOutH, w.outputW, dh.data(), false);  // dL/dh_L

  for (int64_t l = static_cast<int64_t>(w.blocks.size()) - 1; l >= 0; l--) {
    const BlockWeights& blk = w.blocks[l];
    BlockWeights& gb = g.blocks[l];
    const TapeBlock& t = tape.blocks[l];
    std::fill(s.dd2.begin(), s.dd2.end(), 0.0f);
    for (int64_t k = 0; k < e; k++) {
      const float* xi = t.xIn + 3 * static_cast<int64_t>(pr.dst[k]);
      const float* xj = t.xIn + 3 * static_cast<int64_t>(pr.src[k]);
      const float scale = 1.0f / (std::sqrt(t.d2[k] + 1e-8f) + pr.normConstant);
      for (int c = 0; c < 3; c++) s.direction[3 * k + c] = (xi[c] - xj[c]) * scale;
    }
    // Coordinate update: x_out = x_in + Σ_j dir_ij · tanh(ℓ_ij) · range · norm.
    const float gain = pr.rangePerLayer * pr.norm;
    for (int64_t k = 0; k < e; k++) {
      const float* dxi = dx.data() + 3 * static_cast<int64_t>(pr.dst[k]);
      const float th = std::tanh(t.coordLogit[k]);
      float dWeight = 0;
      for (int c = 0; c < 3; c++) {
        dWeight += s.direction[3 * k + c] * dxi[c];
        s.dDirection[3 * k + c] = th * gain * dxi[c];
      }
      s.dLogit[k] = dWeight * gain * (1.0f - th * th);
    }
    Times(t.preCoordHidden, t.sigmoidCoordHidden, e * f, s.silu.data());  // q' = silu(preHidden')
    Gemm(true, false, 1, f, e, s.dLogit.data(), s.silu.data(), gb.coordW2, true);  // w2 += dℓᵀ q'
    for (int64_t k = 0; k < e; k++) {
      float* EQUIMOL_RESTRICT dq = s.dHidden.data() + k * f;
      const float* EQUIMOL_RESTRICT w2 = blk.coordW2;
      const float dLogit = s.dLogit[k];
      for (int64_t c = 0; c < f; c++) dq[c] = dLogit * w2[c];
    }
    EdgeMlpBackward(pr, blk.coord, gb.coord, t.hOut, t.d2, tape.d2Input, t.preCoord, t.preCoordHidden, t.sigmoidCoord, t.sigmoidCoordHidden, dh.data(), s);
    // Node model: h_out = h_in + silu(preNode) W1 + b1, preNode = h_in W_h + m W_m + b0.
    Times(t.preNode, t.sigmoidNode, n * f, s.siluNode.data());
    Gemm(true, false, f, f, n, s.siluNode.data(), dh.data(), gb.nodeW1, true);
    AddColumnSums(dh.data(), n, f, gb.nodeB1);
    Gemm(false, true, n, f, f, dh.data(), blk.nodeW1, s.dNode.data(), false);
    TimesSiluDerivative(s.dNode.data(), t.preNode, t.sigmoidNode, n * f);  // dL/d(preNode)
    Gemm(true, false, f, f, n, t.hIn, s.dNode.data(), gb.nodeWh, true);
    Gemm(true, false, f, f, n, t.messages, s.dNode.data(), gb.nodeWm, true);
    AddColumnSums(s.dNode.data(), n, f, gb.nodeB0);
    std::copy(dh.begin(), dh.end(), dhIn.begin());
    Gemm(false, true, n, f, f, s.dNode.data(), blk.nodeWh, dhIn.data(), true);
    Gemm(false, true, n, f, f, s.dNode.data(), blk.nodeWm, s.dm.data(), false);  // dL/dm
    // Messages with attention: m_i = norm Σ_j q_ij a_ij, a_ij = σ(q_ij · w_att + b_att).
    Times(t.preEdgeHidden, t.sigmoidEdgeHidden, e * f, s.silu.data());  // q = silu(preHidden)
    for (int64_t k = 0; k < e; k++) {
      const float* EQUIMOL_RESTRICT qk = s.silu.data() + k * f;
      const float* EQUIMOL_RESTRICT dmi = s.dm.data() + static_cast<int64_t>(pr.dst[k]) * f;
      const float* EQUIMOL_RESTRICT wAtt = blk.attentionW;
      float* EQUIMOL_RESTRICT dq = s.dHidden.data() + k * f;
      const float a = t.attention[k];
      float dot[8] = {0, 0, 0, 0, 0, 0, 0, 0};  // 8 partial sums, so the dot product vectorises
      int64_t c = 0;
      for (; c + 8 <= f; c += 8) for (int u = 0; u < 8; u++) dot[u] += qk[c + u] * dmi[c + u];
      float total = 0;
      for (; c < f; c++) total += qk[c] * dmi[c];
      for (int u = 0; u < 8; u++) total += dot[u];
      const float dLogit = pr.norm * total * a * (1.0f - a);
      s.dLogit[k] = dLogit;
      const float scale = pr.norm * a;
      for (c = 0; c < f; c++) dq[c] = scale * dmi[c] + dLogit * wAtt[c];
      gb.attentionB[0] += dLogit;
    }
    Gemm(true, false, 1, f, e, s.dLogit.data(), s.silu.data(), gb.attentionW, true);  // w_att += dℓᵀ q
    EdgeMlpBackward(pr, blk.edge, gb.edge, t.hIn, t.d2, tape.d2Input, t.preEdge, t.preEdgeHidden, t.sigmoidEdge, t.sigmoidEdgeHidden, dhIn.data(), s);
    // Positions: d² and the direction of this block both read x_in.
    std::copy(dx.begin(), dx.end(), dxIn.begin());
    for (int64_t k = 0; k < e; k++) {
      const int64_t i = pr.dst[k], j = pr.src[k];
      const float* xi = t.xIn + 3 * i;
      const float* xj = t.xIn + 3 * j;
      const float r[3] = {xi[0] - xj[0], xi[1] - xj[1], xi[2] - xj[2]};
      const float rho = std::sqrt(t.d2[k] + 1e-8f);
      const float scale = 1.0f / (rho + pr.normConstant);
      const float* dd = s.dDirection.data() + 3 * k;
      const float rDotD = r[0] * dd[0] + r[1] * dd[1] + r[2] * dd[2];
      for (int c = 0; c < 3; c++) {
        const float dr = 2.0f * r[c] * s.dd2[k] + scale * dd[c] - scale * scale / rho * rDotD * r[c];
        dxIn[3 * i + c] += dr;
        dxIn[3 * j + c] -= dr;
      }
    }
    std::swap(dx, dxIn);
    std::swap(dh, dhIn);
  }
  // The input positions' distances d²⁰ (edge attributes of every block).
  for (int64_t k = 0; k < e; k++) {
    const int64_t i = pr.dst[k], j = pr.src[k];
    for (int c = 0; c < 3; c++) {
      const float dr = 2.0f * (pr.x[3 * i + c] - pr.x[3 * j + c]) * s.dd2Input[k];
      dx[3 * i + c] += dr;
      dx[3 * j + c] -= dr;
    }
  }
  std::copy(dx.begin(), dx.end(), gradX);
  // Embedding: h_0 = nodeInput W_emb + b_emb.
  Gemm(true, false, pr.nodeIn, f, n, pr.nodeInput, dh.data(), g.embeddingW, true);
  AddColumnSums(dh.data(), n, f, g.embeddingB);
  Gemm(false, true, n, pr.nodeIn, f, dh.data(), w.embeddingW, gradNodeInput, false);
}

napi_value EgnnDenoiserBackward(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value args[13];
  if (napi_get_cb_info(env, info, &argc, args, nullptr, nullptr) != napi_ok || argc != 13) {
    return ThrowFrom(env, kOp, "expects 13 arguments (sizes, scalars, nodeInput, x, edgeSrc, edgeDst, weights, tape, gradOutX, gradOutH, gradWeights, gradNodeInput, gradX)");
  }
  Problem pr;
  float *packed = nullptr, *tape = nullptr, *gradOutX = nullptr, *gradOutH = nullptr, *gradWeights = nullptr, *gradNodeInput = nullptr, *gradX = nullptr;
  if (!ReadProblem(env, kOp, args, args[6], &pr, &packed)) return nullptr;
  const int64_t atoms3 = pr.nAtoms * 3, atomsIn = pr.nAtoms * pr.nodeIn;
  if (!ExpectFloats(env, kOp, args[7], "tape", TapeCount(pr.nAtoms, pr.nEdges, pr.f, pr.layers), &tape)) return nullptr;
  if (!ExpectFloats(env, kOp, args[8], "gradOutX", atoms3, &gradOutX)) return nullptr;
  if (!ExpectFloats(env, kOp, args[9], "gradOutH", atomsIn, &gradOutH)) return nullptr;
  if (!ExpectFloats(env, kOp, args[10], "gradWeights", WeightCount(pr.nodeIn, pr.f, pr.layers), &gradWeights)) return nullptr;
  if (!ExpectFloats(env, kOp, args[11], "gradNodeInput", atomsIn, &gradNodeInput)) return nullptr;
  if (!ExpectFloats(env, kOp, args[12], "gradX", atoms3, &gradX)) return nullptr;
  std::fill(gradWeights, gradWeights + WeightCount(pr.nodeIn, pr.f, pr.layers), 0.0f);
  const Weights w = ViewWeights(packed, pr.nodeIn, pr.f, pr.layers);
  Weights g = ViewWeights(gradWeights, pr.nodeIn, pr.f, pr.layers);
  const FlushDenormals flush;
  Backward(pr, w, ViewTape(tape, pr.nAtoms, pr.nEdges, pr.f, pr.layers), gradOutX, gradOutH, g, gradNodeInput, gradX);
  return nullptr;
}

}  // namespace
}  // namespace egnn

bool RegisterEgnnDenoiserBackward(napi_env env, napi_value exports) {
  return ExportFunction(env, exports, "egnnDenoiserBackward", egnn::EgnnDenoiserBackward);
}

}  // namespace equimol
