// Fused equivariant linear maps (e3nn o3.Linear: channel mixing within each irrep; linear-maps.cc), registered on the
// equimol_native addon's exports by its Init (matmul.cc).
#pragma once
#include <node_api.h>

namespace equimol {
// Adds `linearMaps` to `exports`; false (with a JS exception pending) when that fails.
bool RegisterLinearMaps(napi_env env, napi_value exports);
}  // namespace equimol
