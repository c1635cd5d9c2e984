import { App, Duration } from 'cdk8s';
import { ShopChart } from './charts/shop-chart.js';
import { ShopReleaseChart } from './charts/shop-release-chart.js';
import { Environments, GitOps } from './lib/gitops/index.js';

// One app, synthesized per environment of package.json's "cdk8s-devops" key into dist/<env>/, with
// Argo CD Applications that sync those folders in dist/gitops/; with $CDK8S_DEVOPS_GIT_URL (on a local
// cluster, the GitOps repository `npm run cluster:up` prints), the Flux objects that reconcile it
// instead. Optional overrides: the shop's version ($SHOP_VERSION, else the environment's setting), and
// where its rollouts' analyses find Prometheus (on a local cluster, the URL `npm run cluster:up` prints).
const gitRepository = process.env.CDK8S_DEVOPS_GIT_URL;
// A release takes longer than Flux's 5-minute default timeout to become healthy (the storefront's pre-
// and post-promotion analyses each wait 5 minutes, then measure 5 times a minute apart): Flux would
// report every release failed.
const gitops = gitRepository
  ? GitOps.flux({ url: gitRepository, interval: Duration.seconds(30), timeout: Duration.minutes(30) })
  : GitOps.argoCd({ repoURL: 'https://github.com/cdk8s-devops/shop-deploy.git' });
Environments.fromPackageJson('.', { required: ['version'] }).synth(
  (app, env) => {
    const version = process.env.SHOP_VERSION ?? env.string('version');
    if (env.name === 'ci') {
      // The release pipeline (build, approval, deploy to prod on a push to main) is an environment of its
      // own, apart from the shop it deploys. Its deploy stage may change exactly the kinds of prod's shop,
      // so it reads them from a chart that is never synthesized.
      const prod = new ShopChart(new App(), 'shop', { namespace: 'shop', version });
      new ShopReleaseChart(app, 'shop-release', { shop: prod });
      return;
    }
    new ShopChart(app, 'shop', {
      namespace: env.namespace,
      version,
      prometheusAddress: process.env.PROMETHEUS_ADDRESS,
    });
  },
  { gitops },
);
