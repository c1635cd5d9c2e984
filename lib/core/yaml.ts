/**
 * The YAML of the files the constructs write besides manifests (Fluent Bit's configuration, a
 * kustomization.yaml), read by tools that speak YAML 1.2: js-yaml with its core schema, so that only
 * what YAML 1.2 reads as another type is quoted (`on` stays plain), on one line per value.
 */
import jsYaml from 'js-yaml';

/** `value` as YAML 1.2: strings that need quotes in double quotes, no folding, no anchors. */
export function toYaml(value: unknown): string {
  return jsYaml.dump(value, {
    schema: jsYaml.CORE_SCHEMA,
    noCompatMode: true,
    lineWidth: -1,
    noRefs: true,
    quotingType: '"',
  });
}
