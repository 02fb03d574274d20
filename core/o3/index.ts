export { Irrep, Irreps } from './irreps';
export type { MulIrrep, Parity } from './irreps';
export { wigner3j, su2ClebschGordan, realToComplexBasis, isTriangle } from './wigner-3j';
export { sphericalHarmonics, sphericalHarmonicsTensor } from './spherical-harmonics';
export {
  anglesToMatrix, randomRotation, rotationX, rotationY, matMul3, determinant3, wignerD, wignerDs, wignerDTensors, irrepsRepresentation,
} from './rotation';
export type { Matrix3 } from './rotation';
