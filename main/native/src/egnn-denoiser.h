// Fused forward and backward passes of EDM's EGNN denoiser (egnn-denoiser.cc, egnn-denoiser-backward.cc), registered on the equimol_native addon's
// exports by its Init (matmul.cc).
#pragma once
#include <node_api.h>

namespace equimol {
// Adds `egnnDenoiser`, `egnnDenoiserTapeSize` and `egnnDenoiserBackward` to `exports`; false (with a JS exception
// pending) when that fails.
bool RegisterEgnnDenoiser(napi_env env, napi_value exports);
// Adds `egnnDenoiserBackward` (egnn-denoiser-backward.cc).
bool RegisterEgnnDenoiserBackward(napi_env env, napi_value exports);
}  // namespace equimol
