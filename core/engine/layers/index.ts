export * from './params';
export * from './radial';
export * from './activations';
export * from './linear';
export * from './tensor-product';
export * from './cp-tensor-product';
export * from './so2-convolution';
export * from './gaunt-tensor-product';
