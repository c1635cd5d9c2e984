import { ShopChart } from './charts/shop-chart.js';
import { ShopReleaseChart } from './charts/shop-release-chart.js';
import { DevOpsApp } from './lib/devops-app.js';

const app = new DevOpsApp();
const shop = new ShopChart(app, 'shop');
new ShopReleaseChart(app, 'shop-release', { shop });
app.synth();
