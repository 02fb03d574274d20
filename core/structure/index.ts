export * from './structure';
export * from './elements';
export * from './errors';
