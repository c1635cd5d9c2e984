import type { Manifest } from '../../client/transport/resources.js';
import type { ObjectStatus } from '../../client/wait/object-status.js';
import {
  describeOutcomes,
  describeStable,
  outcomeOf,
  stableManifests,
  workloadOutcomes,
} from '../../client/record/workload-outcomes.js';

const status = (ref: string, outcome: ObjectStatus['outcome'], message = ''): ObjectStatus => ({
  ref,
  outcome,
  readiness: { state: outcome === 'ready' ? 'ready' : 'failed', message },
});

const aborted = status('Rollout/shop/web', 'failed', 'RolloutAborted: Rollout aborted update to revision 2');
const promoted = status('Rollout/shop/api', 'ready');

function rollout(name: string, tag: string): Manifest[] {
  return [
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name, namespace: 'shop' },
      spec: { workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name } },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'shop' },
      spec: { template: { spec: { containers: [{ name, image: `${name}:${tag}` }] } } },
    },
  ];
}

describe('workload outcomes', () => {
  test('a Rollout is promoted or aborted; other kinds are ready, failed or timed out', () => {
    expect(outcomeOf(promoted)).toBe('promoted');
    expect(outcomeOf(aborted)).toBe('aborted');
    expect(outcomeOf(status('Rollout/shop/web', 'failed', 'ProgressDeadlineExceeded: ...'))).toBe('failed');
    expect(outcomeOf(status('Deployment/shop/db', 'ready'))).toBe('ready');
    expect(outcomeOf(status('Job/shop/migrate', 'timed-out'))).toBe('timed-out');
  });

  test('what did not become ready keeps the version stable before; unchanged ready objects are left out', () => {
    const changed = new Set(['Rollout/shop/api', 'Rollout/shop/web', 'Job/shop/new']);
    const objects = [
      promoted,
      aborted,
      status('ConfigMap/shop/same', 'ready'),
      status('Job/shop/new', 'failed'),
    ];
    // The revision before was deployed: web's stable version is its.
    expect(
      workloadOutcomes(objects, changed, new Set(['Job/shop/new']), { number: 4, healthy: true }),
    ).toEqual([
      { ref: 'Rollout/shop/api', outcome: 'promoted' },
      { ref: 'Rollout/shop/web', outcome: 'aborted', stable: 4 },
      { ref: 'Job/shop/new', outcome: 'failed' },
    ]);
    // The revision before aborted web too: its stable version is still the one before that.
    const previous = {
      number: 5,
      healthy: false,
      workloads: [{ ref: 'Rollout/shop/web', outcome: 'aborted' as const, stable: 4 }],
    };
    expect(workloadOutcomes([aborted], changed, new Set(), previous)).toEqual([
      { ref: 'Rollout/shop/web', outcome: 'aborted', stable: 4 },
    ]);
    // Before an old failed revision without outcomes, nothing is known to be stable.
    expect(workloadOutcomes([aborted], changed, new Set(), { number: 5, healthy: false })).toEqual([
      { ref: 'Rollout/shop/web', outcome: 'aborted' },
    ]);
    expect(describeOutcomes(workloadOutcomes(objects, changed, new Set(), undefined))).toBe(
      'api promoted, web aborted, new failed',
    );
    expect(describeStable(workloadOutcomes(objects, changed, new Set(), { number: 4, healthy: true }))).toBe(
      ', with web as in revision 4, new as in revision 4',
    );
    expect(describeStable(undefined)).toBe('');
  });

  test("the stable manifests take a Rollout and its workloadRef's Deployment from the revision where it was stable", async () => {
    const revisions: Record<number, Manifest[]> = { 1: [...rollout('api', '1'), ...rollout('web', '1')] };
    const latest = [...rollout('api', '2'), ...rollout('web', '2')];
    const stable = await stableManifests(
      latest,
      [
        { ref: 'Rollout/shop/api', outcome: 'promoted' },
        { ref: 'Rollout/shop/web', outcome: 'aborted', stable: 1 },
      ],
      (n) => Promise.resolve(revisions[n]),
    );
    expect(stable).toEqual([...rollout('api', '2'), ...rollout('web', '1')]);
    await expect(
      stableManifests(latest, [{ ref: 'Rollout/shop/db', outcome: 'aborted', stable: 1 }], (n) =>
        Promise.resolve(revisions[n]),
      ),
    ).rejects.toThrow('revision 1, where Rollout/shop/db was last stable, does not hold it');
  });
});
