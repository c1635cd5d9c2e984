/** `ResourceCatalog.waitUntilServed`: a CRD's kinds are waited for in discovery, one request per group version. */
import { ApiClient } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { ResourceCatalog } from '../../client/transport/resources.js';
import { localApiServer } from './local-server.js';

function crd(plural: string, kind: string): Manifest {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.example.com` },
    spec: {
      group: 'example.com',
      names: { plural, kind },
      versions: [
        { name: 'v1', served: true, storage: true },
        { name: 'v1beta1', served: false, storage: false },
      ],
    },
  };
}

/** A discovery endpoint for example.com/v1 that answers 404 `missingFor` times, then lists both kinds. */
async function discovery(missingFor: number) {
  const asked: string[] = [];
  const server = await localApiServer((request, response) => {
    asked.push(request.url!);
    if (request.url !== '/apis/example.com/v1' || asked.length <= missingFor) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"kind":"Status","code":404}');
      return;
    }
    const resources = [
      { name: 'widgets', kind: 'Widget', namespaced: true },
      { name: 'gadgets', kind: 'Gadget', namespaced: true },
    ];
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ resources }));
  });
  return { asked, catalog: new ResourceCatalog(ApiClient.fromKubeConfig(server.kubeConfig)), ...server };
}

test('resolves once discovery lists every served kind, asking each group version once a round', async () => {
  const { asked, catalog, close } = await discovery(2);
  try {
    await catalog.waitUntilServed([crd('widgets', 'Widget'), crd('gadgets', 'Gadget')], 10_000);
    expect(asked).toEqual(['/apis/example.com/v1', '/apis/example.com/v1', '/apis/example.com/v1']);
    // What the wait found is what a lookup then uses: no further request.
    expect(await catalog.lookup('example.com/v1', 'Gadget')).toEqual({
      apiVersion: 'example.com/v1',
      kind: 'Gadget',
      resource: 'gadgets',
      namespaced: true,
    });
    expect(asked).toHaveLength(3);
  } finally {
    close();
  }
});

test('names each kind, version and CRD not served by the deadline', async () => {
  const { catalog, close } = await discovery(Infinity);
  try {
    await expect(catalog.waitUntilServed([crd('widgets', 'Widget')], 300)).rejects.toThrow(
      "the API server's discovery did not serve Widget in example.com/v1 (CustomResourceDefinition widgets.example.com) within 0.3s of the CRD being Established (`kubectl api-resources` lists what it serves)",
    );
  } finally {
    close();
  }
});
