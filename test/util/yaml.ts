/**
 * YAML for tests and the harness, with js-yaml (the project's one YAML library). Written as synth writes
 * manifests, so that the client, kubectl, the API server and Go programs (YAML 1.1) read the same values
 * back; read with YAML 1.2's core schema: dates stay strings and `<<` is an ordinary key.
 */
import jsYaml from 'js-yaml';

export { manifestYaml as toYaml } from '../../lib/core/synth.js';

/** The one document of `text`, untyped as tests walk it. */
export function parseYaml(text: string): any {
  return jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
}

/** Every document of `text`, in order (an empty document is null), untyped as tests walk them. */
export function parseAllYaml(text: string): any[] {
  return jsYaml.loadAll(text, undefined, { schema: jsYaml.CORE_SCHEMA });
}
