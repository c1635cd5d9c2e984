import { Environments, GitOps } from 'cdk8s-devops';
import { buildEnvironment } from './app.js';

// One app description, synthesized for every environment of package.json's "cdk8s-devops" key into
// dist/<env>/, plus the Argo CD Applications that sync those folders (dist/gitops/).
Environments.fromPackageJson('.', { required: ['tag', 'replicas', 'domain'] }).synth(buildEnvironment, {
  gitops: GitOps.argoCd({ repoURL: 'https://git.example.com/acme/deploy.git' }),
});
