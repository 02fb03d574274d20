// The path table both fused kernels take (cg-scatter.cc, channel-product.cc; built by core/engine/layers/fused-*.ts):
// per path (off1, d1, off2, d2, offOut, d3, woff, mul, coefStart, coefCount), and the non-zero coefficients of each
// path's Clebsch–Gordan block as (i, j, k) indices with their values.
#pragma once
#include <node_api.h>

#include <cstdint>
#include <string>
#include <vector>

#include "napi-args.h"

namespace equimol {

struct Path {
  int off1, d1, off2, d2, offOut, d3, woff, mul, coefStart, coefCount;
};

// Widths of the operand rows the paths index into; `yPerChannel`: the second input has the paths' multiplicity
// (channelProduct) rather than 1 (cgScatter's spherical harmonics).
struct PathBlocks {
  int64_t dim1, dim2, dimW, dimOut;
  bool yPerChannel;
};

// Validates the table against `blocks` and appends its paths to `out`; false with a JS RangeError pending (its message
// starts with `op`) when a path or coefficient reaches outside its blocks or degrees.
inline bool ReadPathTable(napi_env env, const char* op, const int32_t* paths, size_t lpaths, const int32_t* ci, size_t lci,
                          size_t lcv, const PathBlocks& blocks, std::vector<Path>* out) {
  if (lpaths % 10 != 0) return ThrowFrom(env, op, "paths must hold 10 integers per path", true), false;
  if (lci != 3 * lcv) return ThrowFrom(env, op, "coefIndex must hold 3 integers per coefficient", true), false;
  const int64_t nCoef = static_cast<int64_t>(lcv);
  for (size_t k = 0; k < lpaths; k += 10) {
    const Path q{paths[k], paths[k + 1], paths[k + 2], paths[k + 3], paths[k + 4],
                 paths[k + 5], paths[k + 6], paths[k + 7], paths[k + 8], paths[k + 9]};
    const std::string at = "path " + std::to_string(k / 10);
    if (q.d1 < 1 || q.d2 < 1 || q.d3 < 1 || q.mul < 0 || q.off1 < 0 || q.off2 < 0 || q.offOut < 0 || q.woff < 0 ||
        q.coefStart < 0 || q.coefCount < 0) {
      return ThrowFrom(env, op, at + " has a negative offset or an empty degree", true), false;
    }
    const int64_t yWidth = blocks.yPerChannel ? int64_t{q.mul} * q.d2 : q.d2;
    if (q.off1 + int64_t{q.mul} * q.d1 > blocks.dim1 || q.off2 + yWidth > blocks.dim2 ||
        q.offOut + int64_t{q.mul} * q.d3 > blocks.dimOut || q.woff + q.mul > blocks.dimW ||
        int64_t{q.coefStart} + q.coefCount > nCoef) {
      return ThrowFrom(env, op, at + " reaches outside its blocks", true), false;
    }
    for (int c = q.coefStart; c < q.coefStart + q.coefCount; c++) {
      const int32_t* t = ci + 3 * c;
      if (t[0] < 0 || t[0] >= q.d1 || t[1] < 0 || t[1] >= q.d2 || t[2] < 0 || t[2] >= q.d3) {
        return ThrowFrom(env, op, at + ": coefficient " + std::to_string(c) + " indexes outside its degrees", true), false;
      }
    }
    out->push_back(q);
  }
  return true;
}

}  // namespace equimol
