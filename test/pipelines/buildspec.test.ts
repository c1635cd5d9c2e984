import { parseYaml } from '../util/yaml.js';
import { BuildEnvValue } from '../../lib/pipelines/build-env.js';
import { BuildSpec } from '../../lib/pipelines/buildspec.js';

/** The Docker sample of the CodeBuild user guide: log in to ECR, build, push, write imagedefinitions.json. */
const DOCKER_ECR = `version: 0.2
env:
  variables:
    AWS_DEFAULT_REGION: eu-west-1
    IMAGE_REPO_NAME: shop-api
  parameter-store:
    DOCKERHUB_TOKEN: /shop/dockerhub/token
  exported-variables:
    - IMAGE_TAG
phases:
  pre_build:
    commands:
      - echo Logging in to Amazon ECR...
      - IMAGE_TAG=$(echo $CODEBUILD_RESOLVED_SOURCE_VERSION | cut -c 1-7)
  build:
    on-failure: ABORT
    commands:
      - docker build -t $IMAGE_REPO_NAME:$IMAGE_TAG .
  post_build:
    commands:
      - docker push $IMAGE_REPO_NAME:$IMAGE_TAG
      - printf '[{"name":"api","imageUri":"%s"}]' $IMAGE_REPO_NAME:$IMAGE_TAG > imagedefinitions.json
artifacts:
  files: imagedefinitions.json
`;

/** A Java build with Maven: a cache, JUnit reports from surefire, artifacts with discard-paths. */
const MAVEN = `version: 0.2
env:
  shell: bash
  secrets-manager:
    SONAR_TOKEN: prod/sonar:token
phases:
  install:
    on-failure: CONTINUE
    commands:
      - mvn -v
  build:
    commands:
      - mvn -B verify
    finally:
      - echo build done
reports:
  surefire:
    files:
      - "**/*.xml"
    base-directory: target/surefire-reports
    file-format: JUNITXML
artifacts:
  files:
    - target/*.jar
  discard-paths: yes
  name: jars
cache:
  paths:
    - '/root/.m2/**/*'
`;

/** A Python project: numbers as variable values, several commands per phase. */
const PYTHON = `version: 0.2
env:
  variables:
    PYTHONUNBUFFERED: 1
    RETRIES: 3
phases:
  install:
    commands:
      - pip install -r requirements.txt
  build:
    commands:
      - pytest --junitxml=reports/junit.xml
reports:
  pytest:
    files: [reports/junit.xml]
`;

test('the Docker-to-ECR sample: variables, a mapped SSM parameter, exported variables, three phases, artifacts', () => {
  const token = BuildEnvValue.fromSecret('dockerhub', 'token');
  const spec = BuildSpec.fromYaml(DOCKER_ECR, { parameterStore: { '/shop/dockerhub/token': token } });
  expect(spec.props).toEqual({
    variables: { AWS_DEFAULT_REGION: 'eu-west-1', IMAGE_REPO_NAME: 'shop-api' },
    env: { DOCKERHUB_TOKEN: token },
    exportedVariables: ['IMAGE_TAG'],
    phases: {
      pre_build: {
        commands: [
          'echo Logging in to Amazon ECR...',
          'IMAGE_TAG=$(echo $CODEBUILD_RESOLVED_SOURCE_VERSION | cut -c 1-7)',
        ],
        onFailure: 'ABORT',
      },
      build: { commands: ['docker build -t $IMAGE_REPO_NAME:$IMAGE_TAG .'], onFailure: 'ABORT' },
      post_build: {
        commands: [
          'docker push $IMAGE_REPO_NAME:$IMAGE_TAG',
          `printf '[{"name":"api","imageUri":"%s"}]' $IMAGE_REPO_NAME:$IMAGE_TAG > imagedefinitions.json`,
        ],
        onFailure: 'ABORT',
      },
    },
    artifacts: { files: ['imagedefinitions.json'] },
    reports: undefined,
    cachePaths: undefined,
  });
  expect(token.toEnvVar('DOCKERHUB_TOKEN')).toEqual({
    name: 'DOCKERHUB_TOKEN',
    valueFrom: { secretKeyRef: { name: 'dockerhub', key: 'token' } },
  });
  expect(spec.phases.map(([phase]) => phase)).toEqual(['pre_build', 'build', 'post_build']);
});

test('the Maven build: on-failure CONTINUE, finally, a JUnit report group, artifacts, a cache, a mapped Secrets Manager secret', () => {
  const sonar = BuildEnvValue.fromSecret('sonar', 'token');
  const spec = BuildSpec.fromYaml(MAVEN, { secretsManager: { 'prod/sonar:token': sonar } });
  expect(spec.props).toEqual({
    variables: {},
    env: { SONAR_TOKEN: sonar },
    exportedVariables: [],
    phases: {
      install: { commands: ['mvn -v'], onFailure: 'CONTINUE' },
      build: { commands: ['mvn -B verify'], onFailure: 'ABORT', finally: ['echo build done'] },
    },
    artifacts: { files: ['target/*.jar'], name: 'jars', discardPaths: true },
    reports: { surefire: { files: ['**/*.xml'], baseDirectory: 'target/surefire-reports' } },
    cachePaths: ['/root/.m2/**/*'],
  });
});

test('the Python build: numbers become strings; a report group with the default format', () => {
  const spec = BuildSpec.fromObject(parseYaml(PYTHON));
  expect(spec.props.variables).toEqual({ PYTHONUNBUFFERED: '1', RETRIES: '3' });
  expect(spec.props.reports).toEqual({ pytest: { files: ['reports/junit.xml'] } });
  expect(spec.props.phases.install).toEqual({
    commands: ['pip install -r requirements.txt'],
    onFailure: 'ABORT',
  });
});

test.each([
  [
    'an SSM parameter without a mapping',
    'version: 0.2\nenv:\n  parameter-store:\n    DB_PASSWORD: /prod/db/password\nphases:\n  build:\n    commands: [make]\n',
    `buildspec: env.parameter-store.DB_PASSWORD refers to "/prod/db/password", which has no Kubernetes meaning without a mapping. Map it: BuildSpec.fromYaml(text, { parameterStore: { "/prod/db/password": BuildEnvValue.fromSecret('secret-name', 'key') } })`,
  ],
  [
    'a Secrets Manager secret without a mapping',
    'version: 0.2\nenv:\n  secrets-manager:\n    TOKEN: prod/api:token\nphases:\n  build:\n    commands: [make]\n',
    `buildspec: env.secrets-manager.TOKEN refers to "prod/api:token", which has no Kubernetes meaning without a mapping. Map it: BuildSpec.fromYaml(text, { secretsManager: { "prod/api:token": BuildEnvValue.fromSecret('secret-name', 'key') } })`,
  ],
  [
    'runtime-versions',
    'version: 0.2\nphases:\n  install:\n    runtime-versions:\n      nodejs: 20\n    commands: [npm ci]\n',
    'buildspec: phases.install.runtime-versions has no Kubernetes meaning. Runtimes come from the phase image: set BuildProjectProps.phaseImages for the phase instead',
  ],
  [
    'run-as',
    'version: 0.2\nrun-as: root\nphases:\n  build:\n    commands: [make]\n',
    'buildspec: run-as has no Kubernetes meaning. Builds run as a non-root user under Pod Security "restricted"; remove run-as',
  ],
  [
    'batch builds',
    'version: 0.2\nbatch:\n  fast-fail: true\nphases:\n  build:\n    commands: [make]\n',
    'buildspec: batch has no Kubernetes meaning. Batch builds have no Tekton meaning; make one BuildProject per build, in a ReleasePipeline stage',
  ],
  [
    'the git credential helper',
    'version: 0.2\nenv:\n  git-credential-helper: yes\nphases:\n  build:\n    commands: [make]\n',
    "buildspec: env.git-credential-helper has no Kubernetes meaning. Use a GitSource with credentials; the build's git needs no helper",
  ],
  [
    'secondary artifacts',
    'version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  files: [a]\n  secondary-artifacts:\n    b: {files: [b]}\n',
    'buildspec: artifacts.secondary-artifacts has no Kubernetes meaning. Use one BuildProject per artifact, or one artifacts section',
  ],
  [
    'version 0.1',
    'version: 0.1\nphases:\n  build:\n    commands: [make]\n',
    'buildspec: version is 0.1, but only version 0.2 is supported. Set version: 0.2 (version 0.1 ran each command in its own shell; 0.2 keeps one shell per phase step)',
  ],
  [
    'a shell other than bash',
    'version: 0.2\nenv:\n  shell: /bin/sh\nphases:\n  build:\n    commands: [make]\n',
    'buildspec: env.shell is "/bin/sh", but build steps run bash. Remove env.shell or set it to bash (every build image needs bash)',
  ],
  [
    'an unknown phase key',
    'version: 0.2\nphases:\n  build:\n    command: [make]\n',
    'buildspec: phases.build.command is not a buildspec 0.2 key. Use one of: commands, on-failure, finally',
  ],
  [
    'a phase without commands',
    'version: 0.2\nphases:\n  build:\n    finally: [echo]\n',
    'buildspec: phases.build.commands is missing or empty. Give phases.build at least one command, or remove the phase',
  ],
  [
    'an unknown on-failure',
    'version: 0.2\nphases:\n  build:\n    on-failure: RETRY\n    commands: [make]\n',
    'buildspec: phases.build.on-failure is "RETRY". Use ABORT or CONTINUE',
  ],
  [
    'a report in another format',
    'version: 0.2\nphases:\n  build:\n    commands: [make]\nreports:\n  cov:\n    files: [c.xml]\n    file-format: COBERTURAXML\n',
    'buildspec: reports.cov.file-format is "COBERTURAXML", but only JUNITXML reports are collected. Have the test runner write JUnit XML and set file-format: JUNITXML',
  ],
  [
    'invalid YAML',
    'version: 0.2\nphases: [\n',
    'buildspec: not valid YAML (line 3, column 1: unexpected end of the stream within a flow collection). Fix the YAML syntax',
  ],
  [
    'a key given twice',
    'version: 0.2\nphases:\n  build:\n    commands: [make]\n  build:\n    commands: [test]\n',
    'buildspec: not valid YAML (line 5, column 3: duplicated mapping key). Fix the YAML syntax',
  ],
])('refuses %s with a message that names the key', (_, text, message) => {
  expect(() => BuildSpec.fromYaml(text)).toThrow(message);
  expect(() => BuildSpec.fromYaml(text)).toThrow(new Error(message));
});

test('messages name the buildspec file when given', () => {
  expect(() => BuildSpec.fromYaml('version: 0.2\nphases: {}\n', { source: 'api/buildspec.yml' })).toThrow(
    new Error('api/buildspec.yml: phases has no phase with commands. Add at least phases.build.commands'),
  );
});

test('variable names must be environment variable names', () => {
  expect(
    () => new BuildSpec({ variables: { 'MY-VAR': 'x' }, phases: { build: { commands: ['make'] } } }),
  ).toThrow(
    new Error(
      `buildspec: "MY-VAR" is not a valid environment variable name. Use letters, digits and '_', not starting with a digit`,
    ),
  );
});
