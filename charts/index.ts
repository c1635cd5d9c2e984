export * from './shop-chart.js';
