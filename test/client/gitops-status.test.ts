import type { GitOpsStatus } from '../../client/wait/gitops-status.js';
import { describeGitOps, publishedNotApplied } from '../../client/wait/gitops-status.js';

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

describe('the newest published commit', () => {
  const APPLIED = 'a53a2d3a0f63c818b3c770cb7f06d9dc9d5b31be';
  const PUBLISHED = '9740d7a67b6af5b006601eb7a0dc5c0e2477f084';
  const ready = (sourceRevision: string, published?: string): GitOpsStatus => ({
    kustomization: {
      ref: 'Kustomization/flux-system/shop-prod',
      ready: 'True',
      appliedRevision: `main@sha1:${APPLIED}`,
      attemptedRevision: `main@sha1:${APPLIED}`,
      suspended: false,
    },
    source: { ref: 'GitRepository/flux-system/shop', ready: 'True', revision: `main@sha1:${sourceRevision}` },
    ...(published ? { published } : {}),
  });

  test('not fetched yet: the engine is Ready at an older commit, which is not where the branch is', () => {
    const status = ready(APPLIED, PUBLISHED);
    expect(describeGitOps('prod', status)).toBe(
      'prod: commit a53a2d3 applied; commit 9740d7a published, not fetched yet by GitRepository/flux-system/shop',
    );
    expect(publishedNotApplied(status)).toBeDefined();
  });

  test('fetched, not applied yet', () => {
    expect(describeGitOps('prod', ready(PUBLISHED, PUBLISHED))).toBe(
      'prod: commit a53a2d3 applied; commit 9740d7a fetched, not applied yet',
    );
  });

  test('applied, or unknown when the branch could not be read', () => {
    expect(describeGitOps('prod', ready(APPLIED, APPLIED))).toBe('prod: commit a53a2d3 applied');
    expect(publishedNotApplied(ready(APPLIED, APPLIED))).toBeUndefined();
    expect(publishedNotApplied(ready(APPLIED))).toBeUndefined();
  });
});
