/**
 * The one switch for all fused kernels (message + scatter, product basis, linear maps; fused-*.ts): the Node host
 * (EQUIMOL_FUSED), web mode's worker (on webgpu) and tests turn them on or off together. Each still runs only where
 * its kernel is ready (the native addon on wasm, the WGSL program on webgpu).
 */
import { setFusedMessagePassing } from './fused-cg-scatter';
import { setFusedProductBasis } from './fused-channel-product';
import { setFusedLinear } from './fused-linear';

export function setFusedKernels(enabled: boolean): void {
  setFusedMessagePassing(enabled);
  setFusedProductBasis(enabled);
  setFusedLinear(enabled);
}
