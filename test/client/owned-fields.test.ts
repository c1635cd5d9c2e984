/** The part of a live object a field manager owns, read from a managedFields entry as the server writes it. */
import { ownedPart } from '../../client/owned-fields.js';

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
