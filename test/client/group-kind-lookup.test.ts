/** `ResourceCatalog.lookupGroupKind`: an ApplySet member's kind found at any version, from cached discovery. */
import { ApiClient } from '../../client/transport/api-client.js';
import { ResourceCatalog, UnknownKindError } from '../../client/transport/resources.js';
import { localApiServer } from './local-server.js';

/** monitoring.coreos.com as the Prometheus Operator serves it: v1 preferred, AlertmanagerConfig at v1alpha1. */
async function monitoringGroup() {
  const asked: string[] = [];
  const served: Record<string, { name: string; kind: string }[]> = {
    '/apis/monitoring.coreos.com/v1': [{ name: 'prometheuses', kind: 'Prometheus' }],
    '/apis/monitoring.coreos.com/v1alpha1': [{ name: 'alertmanagerconfigs', kind: 'AlertmanagerConfig' }],
  };
  const server = await localApiServer((request, response) => {
    asked.push(request.url!);
    const json = (body: unknown) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.url === '/apis/monitoring.coreos.com') {
      const versions = ['v1', 'v1alpha1'].map((v) => ({ groupVersion: `monitoring.coreos.com/${v}` }));
      json({ preferredVersion: versions[0], versions });
    } else {
      json({ resources: (served[request.url!] ?? []).map((r) => ({ ...r, namespaced: true })) });
    }
  });
  const catalog = new ResourceCatalog(ApiClient.fromKubeConfig(server.kubeConfig));
  return { asked, served, catalog, close: server.close };
}

test('a kind served only at a version the group does not prefer costs one discovery request per version, once', async () => {
  const { asked, catalog, close } = await monitoringGroup();
  try {
    for (let i = 0; i < 3; i++) {
      expect(await catalog.lookupGroupKind('monitoring.coreos.com', 'AlertmanagerConfig')).toEqual({
        apiVersion: 'monitoring.coreos.com/v1alpha1',
        kind: 'AlertmanagerConfig',
        resource: 'alertmanagerconfigs',
        namespaced: true,
      });
    }
    expect(asked).toEqual([
      '/apis/monitoring.coreos.com',
      '/apis/monitoring.coreos.com/v1',
      '/apis/monitoring.coreos.com/v1alpha1',
    ]);
  } finally {
    close();
  }
});

test('a kind no version serves is asked about afresh, so a CRD installed since is found', async () => {
  const { asked, served, catalog, close } = await monitoringGroup();
  try {
    await expect(catalog.lookupGroupKind('monitoring.coreos.com', 'ThanosRuler')).rejects.toThrow(
      UnknownKindError,
    );
    served['/apis/monitoring.coreos.com/v1'].push({ name: 'thanosrulers', kind: 'ThanosRuler' });
    asked.length = 0;
    expect((await catalog.lookupGroupKind('monitoring.coreos.com', 'ThanosRuler')).resource).toBe(
      'thanosrulers',
    );
    expect(asked).toEqual(['/apis/monitoring.coreos.com', '/apis/monitoring.coreos.com/v1']);
  } finally {
    close();
  }
});
