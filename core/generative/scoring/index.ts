export * from './edm-bond-tables';
export * from './stability';
export * from './validity';
export * from './score';
export * from './sample';
export * from './score-csv';
