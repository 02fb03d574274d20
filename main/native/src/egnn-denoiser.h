// Fused forward pass of EDM's EGNN denoiser for sampling (egnn-denoiser.cc), registered on the equimol_native addon's
// exports by its Init (matmul.cc).
#pragma once
#include <node_api.h>

namespace equimol {
// Adds `egnnDenoiser` to `exports`; false (with a JS exception pending) when that fails.
bool RegisterEgnnDenoiser(napi_env env, napi_value exports);
}  // namespace equimol
