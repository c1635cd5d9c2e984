import type { ChartProps } from 'cdk8s';
import { Chart, Duration } from 'cdk8s';
import type { Construct } from 'constructs';
import {
  ApprovalGate,
  BuildEnvValue,
  BuildNamespace,
  BuildProject,
  BuildSpec,
  CustomTask,
  Deploy,
  GitCredentials,
  GitProvider,
  GitSource,
  GitTrigger,
  ImageBuild,
  ImageRegistry,
  PackageMirror,
  ReleasePipeline,
} from '../lib/pipelines/index.js';

/** The buildspec of the shop's api and storefront (both Node.js), as their repositories keep it. */
export const SHOP_BUILDSPEC = `version: 0.2
env:
  variables:
    NODE_ENV: test
    CI: "true"
  exported-variables:
    - BUILD_VERSION
phases:
  install:
    commands:
      - npm ci --no-audit
  pre_build:
    commands:
      - npm run lint
      - BUILD_VERSION="$(node -p 'require("./package.json").version')-\${CODEBUILD_RESOLVED_SOURCE_VERSION:0:7}"
  build:
    commands:
      - npm test -- --reporters=default --reporters=jest-junit
    finally:
      - echo "tests finished with CODEBUILD_BUILD_SUCCEEDING=$CODEBUILD_BUILD_SUCCEEDING"
reports:
  unit-tests:
    files:
      - "junit*.xml"
    file-format: JUNITXML
cache:
  paths:
    - node_modules/**/*
`;

export interface ShopReleaseChartProps extends ChartProps {
  /** The chart the deploy stage applies. */
  readonly shop: Chart;
  /** @default 'ghcr.io/cdk8s-devops' */
  readonly registry?: string;
  /** @default 'https://github.com/cdk8s-devops/shop.git' */
  readonly repository?: string;
}

/**
 * The shop's CodeBuild and CodePipeline on Tekton, in its own build namespace (Pod Security "baseline",
 * because kaniko builds images as root): fetch, build and test the api and storefront, synthesize the
 * manifests, build both images, wait for an approval, apply the release pinned to the built digests, and
 * always report. A push to main on GitHub starts it.
 */
export class ShopReleaseChart extends Chart {
  public readonly pipeline: ReleasePipeline;
  public readonly trigger: GitTrigger;

  public constructor(scope: Construct, id: string, props: ShopReleaseChartProps) {
    super(scope, id, { ...props, namespace: props.namespace ?? 'shop-builds' });
    new BuildNamespace(this, 'namespace', {
      name: this.namespace!,
      reason: "kaniko builds the shop's images as root",
    });
    const builds = this.createBuilds(props.repository ?? 'https://github.com/cdk8s-devops/shop.git');
    const release = this.createReleaseTasks(props.registry ?? 'ghcr.io/cdk8s-devops', props.shop);
    this.pipeline = new ReleasePipeline(this, 'shop-release', {
      workspaces: ['source'],
      params: [{ name: 'deploy', description: 'Whether to deploy the release', default: 'true' }],
      results: {
        'api-image-digest': '$(tasks.api-image.results.IMAGE_DIGEST)',
        'storefront-image-digest': '$(tasks.storefront-image.results.IMAGE_DIGEST)',
      },
      timeout: Duration.hours(2),
    });
    const commit = this.addBuildStages(builds);
    this.addReleaseStages(release, commit);
    this.trigger = new GitTrigger(this, 'shop-push', {
      pipeline: this.pipeline,
      provider: GitProvider.github({ secretName: 'shop-webhook', secretKey: 'secret' }),
      branch: 'main',
    });
  }

  /** The source and the builds of the api, the storefront and the manifests, through the npm mirror. */
  private createBuilds(repository: string): ShopBuilds {
    const mirror = new PackageMirror(this, 'npm-mirror', {
      npm: 'https://npm.pkg.example.com/shop/',
      tokenSecret: { secretName: 'package-mirror', key: 'token' },
    });
    const source = new GitSource(this, 'shop-source', {
      url: repository,
      credentials: GitCredentials.basicAuth('shop-git-credentials'),
    });
    const buildSpec = BuildSpec.fromYaml(SHOP_BUILDSPEC, { source: 'shop buildspec.yml' });
    const node = 'docker.io/library/node:22.11.0-bookworm';
    // One repository, two npm workspaces: npm reads the workspace to work in from npm_config_workspace.
    const workspace = (name: string) => ({ npm_config_workspace: BuildEnvValue.fromLiteral(name) });
    const apiBuild = new BuildProject(this, 'api-build', {
      buildSpec,
      image: node,
      packageMirror: mirror,
      env: workspace('api'),
    });
    const storefrontBuild = new BuildProject(this, 'storefront-build', {
      buildSpec,
      image: node,
      packageMirror: mirror,
      env: workspace('storefront'),
    });
    const synth = new BuildProject(this, 'synth', {
      buildSpec: new BuildSpec({ phases: { build: { commands: ['npm ci --no-audit', 'npm run synth'] } } }),
      image: node,
      packageMirror: mirror,
    });
    return { source, apiBuild, storefrontBuild, synth };
  }

  /** The image builds, the deploy of `shop` pinned to their digests, and the report of the outcome. */
  private createReleaseTasks(registry: string, shop: Chart): ShopReleaseTasks {
    const push = (name: string) => ImageRegistry.dockerConfig(`${registry}/${name}`, 'registry-push');
    const apiImage = new ImageBuild(this, 'api-image', { registry: push('api') });
    const storefrontImage = new ImageBuild(this, 'storefront-image', { registry: push('storefront') });
    const deploy = Deploy.apply(this, 'deploy', {
      image: `${registry}/cdk8s-devops:0.1.0`,
      chart: shop,
      // The prod environment's folder and ApplySet, as `cdk8s-devops apply --env prod` uses them: `dist`
      // itself holds every environment, and another ApplySet name would refuse prod's objects.
      manifestsDir: 'dist/prod',
      applyset: 'shop-prod',
      repositories: [apiImage.repository, storefrontImage.repository],
    });
    const notify = new CustomTask(this, 'notify', {
      params: [{ name: 'status' }, { name: 'revision' }],
      steps: [
        {
          name: 'report',
          image: 'docker.io/library/busybox:1.37.0',
          script: '#!/bin/sh\necho "shop release of $(params.revision): $(params.status)"\n',
          resources: { cpuRequest: '10m', cpuLimit: '100m', memoryRequest: '16Mi', memoryLimit: '64Mi' },
        },
      ],
    });
    return { apiImage, storefrontImage, deploy, notify };
  }

  /** Fetch, then build and test the api and storefront and synthesize, side by side. Returns the commit. */
  private addBuildStages(builds: ShopBuilds): string {
    const fetch = this.pipeline.addStage('source').addTask('fetch', {
      task: builds.source,
      params: { revision: '$(params.revision)' },
      workspaces: { output: 'source' },
    });
    const build = this.pipeline.addStage('build');
    const built = { 'source-version': fetch.result('commit') };
    build.addTask('api-build', {
      task: builds.apiBuild,
      params: built,
      workspaces: { source: 'source', artifacts: 'source' },
    });
    build.addTask('storefront-build', {
      task: builds.storefrontBuild,
      params: built,
      workspaces: { source: 'source', artifacts: 'source' },
    });
    build.addTask('synth', { task: builds.synth, params: built, workspaces: { source: 'source' } });
    return fetch.result('commit');
  }

  /** The images of `commit`, an approval, the deploy, and always the report. */
  private addReleaseStages(release: ShopReleaseTasks, commit: string): void {
    const { apiImage, storefrontImage, deploy } = release;
    const images = this.pipeline.addStage('image');
    const imageTask = (name: string, task: ImageBuild, context: string) =>
      images.addTask(name, {
        task,
        params: { IMAGE: `${task.repository}:${commit}`, CONTEXT: context },
        workspaces: { source: 'source' },
        retries: 2,
        timeout: Duration.minutes(30),
      });
    imageTask('api-image', apiImage, 'api');
    imageTask('storefront-image', storefrontImage, 'storefront');
    this.pipeline
      .addStage('approve')
      .addTask('approve', { task: new ApprovalGate(this, 'approve'), timeout: Duration.hours(24) });
    this.pipeline.addStage('deploy').addTask('deploy', {
      task: deploy,
      params: deploy.imageParams({
        [apiImage.repository]: apiImage.imageAt('api-image'),
        [storefrontImage.repository]: storefrontImage.imageAt('storefront-image'),
      }),
      workspaces: { manifests: 'source' },
      when: [{ input: '$(params.deploy)', operator: 'in', values: ['true'] }],
    });
    this.pipeline.addFinally('notify', {
      task: release.notify,
      params: { status: '$(tasks.status)', revision: '$(params.revision)' },
    });
  }
}

interface ShopBuilds {
  readonly source: GitSource;
  readonly apiBuild: BuildProject;
  readonly storefrontBuild: BuildProject;
  readonly synth: BuildProject;
}

interface ShopReleaseTasks {
  readonly apiImage: ImageBuild;
  readonly storefrontImage: ImageBuild;
  readonly deploy: Deploy;
  readonly notify: CustomTask;
}
