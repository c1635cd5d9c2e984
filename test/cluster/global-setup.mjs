// Jest loads global setup with Node's own resolver, which cannot follow the project's `.js` imports of
// TypeScript files; tsx's loader can, so the setup runs through it.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { provideTestCluster } = await tsImport('./test-cluster.ts', import.meta.url);
  const cluster = await provideTestCluster((line) => process.stderr.write(`[cluster] ${line}\n`));
  if (cluster.kind === 'started') {
    // Jest hands globals set here to the global teardown, and to nothing else.
    globalThis.controlPlane = cluster.plane;
  }
}
