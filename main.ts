import { ShopChart } from './charts/shop-chart.js';
import { DevOpsApp } from './lib/devops-app.js';

const app = new DevOpsApp();
new ShopChart(app, 'shop');
app.synth();
