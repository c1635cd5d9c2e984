/**
 * The small app: one Namespace and 100 each of ConfigMap, Service and Deployment (301 objects), the app
 * issue 27 measured. Few kinds and small objects, so that what `apply` pays once per command (start,
 * discovery, lock, ApplySet parent, history) shows beside the per-object work.
 */
import type { Manifest } from '../client/transport/resources.js';

/** Objects of each kind. */
export const SMALL_APP_SIZE = 100;

/** The small app's objects, in the namespace `fleet-team-0`, which `copyOf` renames per copy as it does the fleet's. */
export function smallAppObjects(size = SMALL_APP_SIZE): Manifest[] {
  const namespace = 'fleet-team-0';
  const objects: Manifest[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }];
  for (let i = 0; i < size; i++) {
    const name = `app-${i}`;
    const labels = { app: name };
    objects.push(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace },
        data: { INDEX: String(i), MODE: 'on' },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace, labels },
        spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                {
                  name: 'app',
                  image: `ghcr.io/acme/${name}:1.0.0`,
                  ports: [{ containerPort: 8080 }],
                  envFrom: [{ configMapRef: { name } }],
                },
              ],
            },
          },
        },
      },
    );
  }
  return objects;
}
