import { ShopChart } from './charts/shop-chart.js';
import { DevOpsApp } from './lib/devops-app.js';

const app = new DevOpsApp();
// Both optional: the shop's version, and where its rollouts' analyses find Prometheus (on a local
// cluster, the URL `npm run cluster:up` prints).
new ShopChart(app, 'shop', {
  version: process.env.SHOP_VERSION,
  prometheusAddress: process.env.PROMETHEUS_ADDRESS,
});
app.synth();
