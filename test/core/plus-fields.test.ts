import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiObject, Cron } from 'cdk8s';
import * as plus from '../../lib/core/plus.js';
import { PROJECT_ROOT } from '../util/project.js';
import { one, synth, testChart } from '../util/synth.js';

const image = 'ghcr.io/acme/app:1.0.0';

function deployment() {
  const chart = testChart();
  const resource = new plus.Deployment(chart, 'app', { metadata: { name: 'app' } });
  resource.addContainer({ name: 'app', image });
  resource.addInitContainer({ name: 'setup', image });
  return { chart, resource };
}

describe('addFields', () => {
  test('writes pod, container and init container fields by name, after the 1.27 bindings drop what they do not know', () => {
    const { chart, resource } = deployment();
    plus.addFields(resource, () => ({
      podSpec: { priorityClassName: 'high', securityContext: { supplementalGroups: [5] } },
      containers: { app: { livenessProbe: { grpc: { port: 9000 } } } },
      initContainers: { setup: { restartPolicy: 'Always' } },
    }));
    const pod = one(synth(chart), 'Deployment').spec.template.spec;
    expect(pod.priorityClassName).toBe('high');
    // Merged into what cdk8s-plus wrote, not in place of it.
    expect(pod.securityContext).toEqual({
      fsGroupChangePolicy: 'Always',
      runAsNonRoot: true,
      supplementalGroups: [5],
    });
    expect(pod.containers[0].livenessProbe).toEqual({ grpc: { port: 9000 } });
    expect(pod.initContainers[0].restartPolicy).toBe('Always');
  });

  test("writes the object's spec, and a function field replaces the current value with what it returns", () => {
    const { chart, resource } = deployment();
    resource.containers[0].mount('/tmp', plus.Volume.fromEmptyDir(chart, 'tmp', 'tmp'));
    plus.addFields(resource, () => ({
      spec: { minReadySeconds: 5, selector: () => ({ matchLabels: { app: 'app' } }) },
      containers: {
        app: {
          volumeMounts: (current: unknown) => [...(current as object[]), { mountPath: '/d', name: 'd' }],
        },
      },
    }));
    const spec = one(synth(chart), 'Deployment').spec;
    expect(spec.minReadySeconds).toBe(5);
    // Replaced, not merged: the path-hash label cdk8s-plus selects by is gone.
    expect(spec.selector).toEqual({ matchLabels: { app: 'app' } });
    expect(spec.template.spec.containers[0].volumeMounts).toEqual([
      { mountPath: '/tmp', name: 'tmp' },
      { mountPath: '/d', name: 'd' },
    ]);
  });

  test('reads its producer at synth time, so later changes count', () => {
    const { chart, resource } = deployment();
    let className = 'low';
    plus.addFields(resource, () => ({ podSpec: { priorityClassName: className } }));
    className = 'high';
    expect(one(synth(chart), 'Deployment').spec.template.spec.priorityClassName).toBe('high');
  });

  test('keeps keys in the bindings order, with container fields newer than 1.27 last', () => {
    const { chart, resource } = deployment();
    plus.addFields(resource, () => ({
      podSpec: { affinity: { nodeAffinity: {} }, volumes: [{ name: 'b', emptyDir: {} }] },
      initContainers: { setup: { restartPolicy: 'Always', args: ['x'] } },
    }));
    plus.addFields(resource, () => ({
      podSpec: { tolerations: [{ operator: 'Exists', effect: 'NoSchedule' }] },
    }));
    const pod = one(synth(chart), 'Deployment').spec.template.spec;
    expect(Object.keys(pod)).toEqual([...Object.keys(pod)].sort());
    expect(pod.tolerations).toEqual([{ effect: 'NoSchedule', operator: 'Exists' }]);
    expect(Object.keys(pod.tolerations[0])).toEqual(['effect', 'operator']);
    const init = Object.keys(pod.initContainers[0]);
    expect(init[0]).toBe('args');
    expect(init.at(-1)).toBe('restartPolicy');
  });

  test('finds the pod spec of a CronJob and the ports of a Service by name', () => {
    const chart = testChart();
    const job = new plus.CronJob(chart, 'job', { schedule: Cron.daily() });
    job.addContainer({ name: 'job', image });
    plus.addFields(job, () => ({ podSpec: { priorityClassName: 'batch' } }));
    const service = new plus.Service(chart, 'svc', { ports: [{ port: 80, name: 'http' }] });
    plus.addFields(service, () => ({ servicePorts: { http: { appProtocol: 'http' } } }));
    const objects = synth(chart);
    expect(one(objects, 'CronJob').spec.jobTemplate.spec.template.spec.priorityClassName).toBe('batch');
    expect(one(objects, 'Service').spec.ports).toEqual([{ appProtocol: 'http', name: 'http', port: 80 }]);
  });

  test('leaves out undefined fields and works on a plain ApiObject', () => {
    const chart = testChart();
    const pod = new ApiObject(chart, 'pod', {
      apiVersion: 'v1',
      kind: 'Pod',
      spec: { containers: [{ name: 'a', image }] },
    });
    plus.addFields(pod, () => ({ podSpec: { priorityClassName: undefined, nodeSelector: { zone: 'a' } } }));
    expect(one(synth(chart), 'Pod').spec).toEqual({
      containers: [{ image, name: 'a' }],
      nodeSelector: { zone: 'a' },
    });
  });

  test('names the object and the missing container', () => {
    const { chart, resource } = deployment();
    plus.addFields(resource, () => ({ containers: { web: { stdin: true } } }));
    expect(() => synth(chart)).toThrow(
      'test/app/Resource: the Deployment has no containers entry named "web"',
    );
  });
});

test('lib/ keeps one JSON patch, the clusterScoped one that lib/core/plus.ts lists', () => {
  const files = readdirSync(join(PROJECT_ROOT, 'lib'), { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.ts'),
  );
  const patches = files.flatMap((f) =>
    (readFileSync(join(PROJECT_ROOT, 'lib', f), 'utf8').match(/JsonPatch\.\w+\(/g) ?? []).map(
      (p) => `${f}: ${p}`,
    ),
  );
  expect(patches).toEqual(['core/plus.ts: JsonPatch.remove(']);
});
