// The cdk8s CLI's floor: an app that starts Node, makes the output folder the CLI expects, and writes nothing.
import { mkdirSync } from 'node:fs';

mkdirSync(process.env.CDK8S_OUTDIR ?? 'dist', { recursive: true });
