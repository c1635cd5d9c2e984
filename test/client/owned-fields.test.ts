/** The part of a live object a field manager owns, read from a managedFields entry as the server writes it. */
import { ownedPart } from '../../client/plan/owned-fields.js';

const live = {
  metadata: { name: 'web', labels: { app: 'web', extra: 'theirs' }, uid: 'x' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    ports: [
      { port: 80, protocol: 'TCP', targetPort: 8080 },
      { port: 443, protocol: 'TCP', targetPort: 8443 },
    ],
    finalizers: ['a', 'b'],
    args: ['--one', '--two'],
  },
};

test('takes the fields of f:, k:, v: and i: keys, and whole values at leaves', () => {
  const fields = {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': {
      'f:selector': {},
      'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:targetPort': {} } },
      'f:finalizers': { 'v:"b"': {} },
      'f:args': { 'i:1': {} },
    },
  };
  expect(ownedPart(live, fields)).toEqual({
    metadata: { labels: { app: 'web' } },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      ports: [{ port: 80, targetPort: 8080 }],
      finalizers: ['b'],
      args: ['--two'],
    },
  });
});

test('leaves out an owned field the live object no longer has', () => {
  const fields = { 'f:metadata': { 'f:labels': { 'f:gone': {}, 'f:app': {} } }, 'f:data': { 'f:mode': {} } };
  expect(ownedPart(live, fields)).toEqual({ metadata: { labels: { app: 'web' } } });
});

test('an owned field the server stores as absent counts as the empty value applied, and only as that', () => {
  const object = { spec: { replicas: 2, ports: [{ name: 'http', port: 80 }] } };
  const fields = {
    'f:spec': {
      'f:replicas': {},
      'f:minReadySeconds': {},
      'f:externalIPs': {},
      'f:ports': { 'k:{"port":80}': { 'f:port': {}, 'f:name': {}, 'f:appProtocol': {} } },
    },
  };
  const applied = {
    spec: {
      replicas: 2,
      minReadySeconds: 0,
      externalIPs: [],
      ports: [{ name: 'http', port: 80, appProtocol: '' }],
    },
  };
  expect(ownedPart(object, fields, applied)).toEqual(applied);
  const nonEmpty = { spec: { ...applied.spec, minReadySeconds: 5 } };
  // A non-empty value the live object lacks is not in the part: the part differs from what is applied.
  expect(ownedPart(object, fields, nonEmpty)).not.toHaveProperty('spec.minReadySeconds');
});
