// `npm run docs`: the API reference, from the TSDoc of the package's public entry points (package.json's
// "exports", mapped from build/ back to their sources) into docs/api/, which git ignores.
import { readFileSync } from 'node:fs';
import { OptionDefaults } from 'typedoc';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const entryPoints = Object.values(pkg.exports)
  .filter((target) => typeof target === 'object')
  .map((target) => target.default.replace(/^\.\/build\//, './').replace(/\.js$/, '.ts'));

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  entryPoints,
  tsconfig: './tsconfig.build.json',
  out: './docs/api',
  name: pkg.name,
  readme: 'none',
  treatWarningsAsErrors: true,
  // The package has no public repository to link sources to (a clone's origin is a local path).
  disableSources: true,
  excludePrivate: true,
  excludeInternal: true,
  // cdk8s import writes @schema (the CRD schema a type comes from) into imports/, which is never edited.
  blockTags: [...OptionDefaults.blockTags, '@schema'],
  // Types of those generated CRD bindings that the constructs expose (a Rollout, a Task's spec): their
  // reference is the CRD's own documentation, not this package's.
  intentionallyNotExported: [
    'AlertmanagerConfig',
    'AnalysisTemplate',
    'PipelineRunV1',
    'PipelineV1',
    'PodMonitor',
    'PrometheusRule',
    'PrometheusRuleSpecGroupsRulesExpr',
    'Rollout',
    'RolloutSpecStrategy',
    'ServiceMonitor',
    'TaskV1',
    'TaskV1Spec',
    'TaskV1SpecStepsComputeResources',
    'TaskV1SpecStepsSecurityContext',
  ],
};
