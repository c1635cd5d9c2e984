import type { GitOpsStatus } from '../../client/wait/gitops-status.js';
import { describeGitOps } from '../../client/wait/gitops-status.js';

const status = (ready: 'True' | 'False' | 'Unknown', message: string): GitOpsStatus => ({
  kustomization: {
    ref: 'Kustomization/flux-system/shop-prod',
    ready,
    message,
    appliedRevision: 'main@sha1:a53a2d3a0f63c818b3c770cb7f06d9dc9d5b31be',
    attemptedRevision: 'main@sha1:9740d7a67b6af5b006601eb7a0dc5c0e2477f084',
    suspended: false,
  },
});

describe("the engine's view in one line", () => {
  test('a newer commit the engine is still applying is being applied, not failed', () => {
    expect(describeGitOps('prod', status('Unknown', 'Reconciliation in progress'))).toBe(
      'prod: commit a53a2d3 applied; commit 9740d7a being applied: Reconciliation in progress',
    );
  });
  test('a newer commit the engine gave up on is not applied, with its reason', () => {
    expect(describeGitOps('prod', status('False', 'health check failed'))).toBe(
      'prod: commit a53a2d3 applied; commit 9740d7a not applied: health check failed',
    );
  });
});
