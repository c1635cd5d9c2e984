import type { IConstruct } from 'constructs';
import { invalid, show } from './errors.js';

export const IMAGE_PIN_PROBLEMS = ['untagged', 'latest'] as const;
export type ImagePinProblem = (typeof IMAGE_PIN_PROBLEMS)[number];

/** What keeps `image` from being pinned: no tag and no digest, or the moving tag `latest`. */
export function imagePinProblem(image: string): ImagePinProblem | undefined {
  if (image.includes('@sha256:')) {
    return undefined;
  }
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  if (!lastSegment.includes(':')) {
    return 'untagged';
  }
  return lastSegment.endsWith(':latest') ? 'latest' : undefined;
}

/**
 * Checks a container image reference: it must name a tag or a digest, and `latest` only with an explicit
 * opt-in, because a moving tag makes a rollout unrepeatable and a rollback impossible.
 */
export function checkImage(scope: IConstruct, image: string, allowLatest: boolean): string {
  const problem = imagePinProblem(image);
  if (problem === 'untagged') {
    invalid(
      scope,
      `image ${show(image)} has no tag or digest`,
      `Pin it, for example ${show(`${image}:1.0.0`)} or ${show(`${image}@sha256:<digest>`)}`,
    );
  }
  if (problem === 'latest' && !allowLatest) {
    invalid(
      scope,
      `image ${show(image)} uses the moving tag "latest"`,
      'Pin a version tag or digest, or set allowLatestImage: true to accept unrepeatable rollouts',
    );
  }
  return image;
}
