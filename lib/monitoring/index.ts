export * from './alarm.js';
