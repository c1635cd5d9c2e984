export * from './devops-app.js';
