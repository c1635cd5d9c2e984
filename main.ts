import { ShopChart } from './charts/shop-chart.js';
import { Environments, GitOps } from './lib/gitops/index.js';

// One app, synthesized per environment of package.json's "cdk8s-devops" key into dist/<env>/, with
// Argo CD Applications that sync those folders in dist/gitops/.
Environments.fromPackageJson('.', { required: ['version'] }).synth(
  (app, env) => {
    new ShopChart(app, 'shop', { namespace: env.namespace, version: env.string('version') });
  },
  { gitops: GitOps.argoCd({ repoURL: 'https://github.com/cdk8s-devops/shop-deploy.git' }) },
);
