import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { AppProps } from 'cdk8s';
import { ApiObject, App } from 'cdk8s';
import { constructMetadata, fileYaml, ONE_PASS_OUTPUT_TYPES, resolveApp } from './core/synth.js';
import { writeKustomization } from './core/kustomization.js';
import type { PolicyRule, SynthesizedObject } from './security/policy.js';
import { findViolations, formatViolation, POLICY_RULES } from './security/policy.js';

export interface DevOpsAppProps extends Omit<AppProps, 'outdir'> {
  /**
   * The policy rules every synthesized object is held against before anything is written.
   *
   * @default POLICY_RULES
   */
  readonly policyRules?: readonly PolicyRule[];

  /**
   * The folder the synthesized manifests are published to.
   *
   * @default 'dist', or 'dist/<folder>' when `folder` is set
   */
  readonly publishDir?: string;

  /**
   * A subfolder of its own, so that one `cdk8s synth` can publish several apps (one per environment):
   * staged in `<staging>/<folder>` and published to `dist/<folder>`.
   *
   * @default - the whole staging folder, published to `dist`
   */
  readonly folder?: string;

  /**
   * Also writes a `kustomization.yaml` that lists the manifests, so that `kubectl kustomize` (and Argo CD
   * or Flux, which run kustomize) read the folder.
   *
   * @default false
   */
  readonly kustomization?: boolean;
}

/**
 * An App whose synth never leaves a half-written or emptied output folder behind.
 *
 * cdk8s writes into a staging folder (`CDK8S_OUTDIR`, which `cdk8s synth` empties before every run, or a
 * fresh temporary folder when the app is run directly). Only after the whole app synthesized, every
 * validation and policy check (lib/security/policy.ts) passed, is the staging folder copied next to `publishDir` and swapped in with renames, so a
 * synth that throws leaves the previous output exactly as it was.
 */
export class DevOpsApp extends App {
  /** The folder the manifests are published to, resolved against the working directory. */
  public readonly publishDir: string;
  public readonly policyRules: readonly PolicyRule[];
  private readonly ownsStaging: boolean;
  private readonly kustomization: boolean;
  private readonly recordsConstructMetadata: boolean;

  public constructor(props: DevOpsAppProps = {}) {
    const fromCli = process.env.CDK8S_OUTDIR;
    const folder = props.folder ?? '';
    super({
      ...props,
      outdir: fromCli ? join(fromCli, folder) : mkdtempSync(join(tmpdir(), 'cdk8s-devops-synth-')),
    });
    this.ownsStaging = fromCli === undefined;
    this.kustomization = props.kustomization ?? false;
    // As App decides it (its own field is private).
    this.recordsConstructMetadata =
      props.recordConstructMetadata ?? process.env.CDK8S_RECORD_CONSTRUCT_METADATA === 'true';
    this.publishDir = resolve(props.publishDir ?? join('dist', folder));
    this.policyRules = props.policyRules ?? POLICY_RULES;
    recoverInterruptedSwap(this.publishDir);
  }

  public override synth(): void {
    try {
      if (ONE_PASS_OUTPUT_TYPES.includes(this.yamlOutputType)) {
        this.synthInOnePass();
      } else {
        checkUniqueObjects(this.node.findAll().filter((c) => ApiObject.isApiObject(c)));
        this.checkPolicies(
          this.node
            .findAll()
            .filter((c) => ApiObject.isApiObject(c))
            .map((o) => ({ path: o.node.path, object: o.toJson() as SynthesizedObject })),
        );
        super.synth();
      }
      if (this.kustomization) {
        writeKustomization(this.outdir);
      }
      publish(this.outdir, this.publishDir);
    } finally {
      if (this.ownsStaging) {
        rmSync(this.outdir, { recursive: true, force: true });
      }
    }
  }

  /** Validation, resolution, checks and YAML, each once (see lib/core/synth.ts). */
  private synthInOnePass(): void {
    const files = resolveApp(this);
    const objects = files.flatMap((f) => f.objects);
    checkUniqueObjects(objects.map((o) => o.apiObject));
    this.checkPolicies(objects);
    mkdirSync(this.outdir, { recursive: true });
    for (const file of files) {
      writeFileSync(join(this.outdir, file.name), fileYaml(file));
    }
    if (this.recordsConstructMetadata) {
      writeFileSync(join(this.outdir, 'construct-metadata.json'), constructMetadata(files));
    }
  }

  private checkPolicies(objects: readonly { path: string; object: SynthesizedObject }[]): void {
    const violations = findViolations(objects, this.policyRules).map(formatViolation);
    if (violations.length > 0) {
      throw new Error(
        `synth stopped by ${violations.length} policy violation(s):\n  - ${violations.join('\n  - ')}`,
      );
    }
  }
}

/**
 * Fails when two constructs make the same object (same API group, kind, namespace and name): applied,
 * the second would silently overwrite the first.
 */
function checkUniqueObjects(objects: readonly ApiObject[]): void {
  const seen = new Map<string, string>();
  const clashes: string[] = [];
  for (const object of objects) {
    const group = object.apiGroup === 'core' ? '' : `.${object.apiGroup}`;
    const namespace =
      object.metadata.namespace && object.kind !== 'Namespace' ? `${object.metadata.namespace}/` : '';
    const key = `${object.kind}${group}/${namespace}${object.name}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, object.node.path);
    } else {
      clashes.push(`${key} is made by both ${first} and ${object.node.path}`);
    }
  }
  if (clashes.length > 0) {
    throw new Error(
      `synth stopped: ${clashes.length} object(s) made twice, where the second would overwrite the first:\n  - ` +
        `${clashes.join('\n  - ')}\nGive one of each pair another name (a workload's name prop, or metadata.name)`,
    );
  }
}

/** Replaces `target` with a copy of `source`, so that `target` is never missing or half-written. */
function publish(source: string, target: string): void {
  const { next, previous } = swapFolders(target);
  rmSync(next, { recursive: true, force: true });
  cpSync(source, next, { recursive: true });
  if (existsSync(target)) {
    renameSync(target, previous);
  }
  renameSync(next, target);
  rmSync(previous, { recursive: true, force: true });
}

function swapFolders(target: string): { next: string; previous: string } {
  return {
    next: join(dirname(target), `.${basename(target)}.next`),
    previous: join(dirname(target), `.${basename(target)}.previous`),
  };
}

/** A run killed between the two renames of `publish` left only `previous`: put it back. */
function recoverInterruptedSwap(target: string): void {
  const { previous } = swapFolders(target);
  if (existsSync(previous)) {
    if (existsSync(target)) {
      rmSync(previous, { recursive: true, force: true });
    } else {
      renameSync(previous, target);
    }
  }
}
