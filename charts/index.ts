export * from './platform-chart.js';
export * from './service-chart.js';
export * from './shop-chart.js';
