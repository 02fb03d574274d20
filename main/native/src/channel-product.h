// Fused channelwise ('uuu') Clebsch–Gordan products of node features, the product basis of MACE
// (channel-product.cc), registered on the equimol_native addon's exports by its Init (matmul.cc).
#pragma once
#include <node_api.h>

namespace equimol {
// Adds `channelProduct` to `exports`; false (with a JS exception pending) when that fails.
bool RegisterChannelProduct(napi_env env, napi_value exports);
}  // namespace equimol
