/**
 * YAML for tests and the harness, with js-yaml (the project's one YAML library). Read with YAML 1.2's
 * core schema, as the client reads manifests: dates stay strings and `<<` is an ordinary key.
 */
import jsYaml from 'js-yaml';

export { toYaml } from '../../lib/core/yaml.js';

/** The one document of `text`, untyped as tests walk it. */
export function parseYaml(text: string): any {
  return jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
}

/** Every document of `text`, in order (an empty document is null), untyped as tests walk them. */
export function parseAllYaml(text: string): any[] {
  return jsYaml.loadAll(text, undefined, { schema: jsYaml.CORE_SCHEMA });
}
