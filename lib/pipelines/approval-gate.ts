import type { Construct } from 'constructs';
import * as plus from '../core/plus.js';
import { CustomTask } from './custom-task.js';
import { TaskBase } from './task-base.js';

/** The annotation on a PipelineRun that approves (or rejects) its gate: `approval.cdk8s-devops.io/<gate>`. */
export const APPROVAL_ANNOTATION_PREFIX = 'approval.cdk8s-devops.io/';

export interface ApprovalGateProps {
  /** An image with kubectl and sh. @default ApprovalGate.DEFAULT_IMAGE */
  readonly image?: string;
  /** @default - the construct id */
  readonly taskName?: string;
}

/**
 * CodePipeline's manual approval: a task that waits until someone annotates the PipelineRun
 * (`kubectl annotate pipelinerun <run> approval.cdk8s-devops.io/<gate>=approved`, or `=rejected`, which
 * fails the run). Give the pipeline task a `timeout`: an unanswered gate then fails the run.
 * Its ServiceAccount may only read PipelineRuns of its namespace.
 */
export class ApprovalGate extends TaskBase {
  public static readonly DEFAULT_IMAGE = 'docker.io/bitnami/kubectl:1.33.4';

  public constructor(scope: Construct, id: string, props: ApprovalGateProps = {}) {
    super(scope, id);
    const task = new CustomTask(this, 'Task', {
      taskName: props.taskName ?? id,
      description: 'Waits for a manual approval of the run',
      params: [
        { name: 'gate', description: 'The name in the approval annotation', default: props.taskName ?? id },
      ],
      steps: [
        {
          name: 'wait-for-approval',
          image: props.image ?? ApprovalGate.DEFAULT_IMAGE,
          resources: { cpuRequest: '10m', cpuLimit: '100m', memoryRequest: '32Mi', memoryLimit: '128Mi' },
          script: approvalScript(),
        },
      ],
    });
    task.enableApiAccess();
    this.declareTask(task);
    const role = new plus.k8s.KubeRole(this, 'Role', {
      rules: [{ apiGroups: ['tekton.dev'], resources: ['pipelineruns'], verbs: ['get'] }],
    });
    new plus.k8s.KubeRoleBinding(this, 'RoleBinding', {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: task.serviceAccountName }],
    });
  }
}

function approvalScript(): string {
  return [
    '#!/bin/sh',
    'set -eu',
    `key="${APPROVAL_ANNOTATION_PREFIX.replace(/\./g, '\\.')}$(params.gate)"`,
    'echo "waiting for approval: kubectl annotate pipelinerun $(context.pipelineRun.name) -n $(context.pipelineRun.namespace) ' +
      `${APPROVAL_ANNOTATION_PREFIX}$(params.gate)=approved"`,
    'while :; do',
    '  answer="$(kubectl get pipelinerun "$(context.pipelineRun.name)" -n "$(context.pipelineRun.namespace)" -o jsonpath="{.metadata.annotations.$key}")"',
    '  case "$answer" in',
    '    approved) echo "approved"; exit 0 ;;',
    '    rejected) echo "rejected" >&2; exit 1 ;;',
    '  esac',
    '  sleep 10',
    'done',
    '',
  ].join('\n');
}
