export * from './devops-app.js';
export * from './errors.js';
export * from './image.js';
export * from './labels.js';
export * from './names.js';
