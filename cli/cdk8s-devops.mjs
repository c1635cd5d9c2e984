#!/usr/bin/env node
// The bin entry: loads the TypeScript CLI through tsx, as the project runs all its TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
