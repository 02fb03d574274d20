export * from './toolkits';
export * from './perceive-bonds';
export * from './bond-orders';
export * from './describe';
export * from './embed';
