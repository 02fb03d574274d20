export * from '../toolkits/toolkits';
export * from '../perception/perceive-bonds';
export * from './bond-orders';
export * from './describe';
export * from '../toolkits/embed';
