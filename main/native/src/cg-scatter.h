// Fused channelwise Clebsch–Gordan message + scatter kernels (cg-scatter.cc), registered on the equimol_native
// addon's exports by its Init (matmul.cc).
#pragma once
#include <node_api.h>

namespace equimol {
// Adds `cgScatter` to `exports`; false (with a JS exception pending) when that fails.
bool RegisterCgScatter(napi_env env, napi_value exports);
}  // namespace equimol
