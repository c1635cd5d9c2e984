import { ShopChart } from './charts/shop-chart.js';
import { ShopReleaseChart } from './charts/shop-release-chart.js';
import { Environments, GitOps } from './lib/gitops/index.js';

// One app, synthesized per environment of package.json's "cdk8s-devops" key into dist/<env>/, with
// Argo CD Applications that sync those folders in dist/gitops/. Both optional overrides: the shop's
// version ($SHOP_VERSION, else the environment's setting), and where its rollouts' analyses find
// Prometheus (on a local cluster, the URL `npm run cluster:up` prints).
Environments.fromPackageJson('.', { required: ['version'] }).synth(
  (app, env) => {
    const shop = new ShopChart(app, 'shop', {
      namespace: env.namespace,
      version: process.env.SHOP_VERSION ?? env.string('version'),
      prometheusAddress: process.env.PROMETHEUS_ADDRESS,
    });
    // Releases go to prod, from a push to main, through the pipeline's approval gate.
    if (env.name === 'prod') {
      new ShopReleaseChart(app, 'shop-release', { shop });
    }
  },
  { gitops: GitOps.argoCd({ repoURL: 'https://github.com/cdk8s-devops/shop-deploy.git' }) },
);
