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
 * opt-in, because a moving tag makes a rollout unrepeatable and a rollback impossible. With the opt-in an
 * untagged image is what the registry calls it, `:latest`, and is written so. Returns the reference.
 */
export function checkImage(scope: IConstruct, image: string, allowLatest: boolean): string {
  const problem = imagePinProblem(image);
  if (problem === undefined) {
    return image;
  }
  if (!allowLatest) {
    invalid(
      scope,
      problem === 'untagged'
        ? `image ${show(image)} has no tag or digest, so it runs the moving tag "latest"`
        : `image ${show(image)} uses the moving tag "latest"`,
      `Pin the version tag or digest you run (${show(`${untagged(image)}:<version>`)} or ${show(`${untagged(image)}@sha256:<digest>`)}), or set allowLatestImage: true to accept unrepeatable rollouts`,
    );
  }
  return problem === 'untagged' ? `${image}:latest` : image;
}

/** `image` without its tag. */
function untagged(image: string): string {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? image.slice(0, colon) : image;
}
