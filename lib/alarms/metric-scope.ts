/** Which series an alarm measures: the labels its queries select on (service, namespace, pod template hash). */
export interface MetricScope {
  /** The Service (Prometheus `service` label) of the workload. */
  readonly service: string;
  readonly namespace: string;
  /**
   * The pod template hash of the new version's pods (Prometheus `rollouts_pod_template_hash` label,
   * matched as a regular expression), for alarms that measure the canary; in an AnalysisTemplate, an
   * argument the Rollout fills in.
   *
   * @default - the alarm measures the whole service
   */
  readonly podTemplateHash?: string;
  /**
   * The workload's main container (Prometheus `container` label, for cAdvisor and kube-state-metrics).
   *
   * @default - the service
   */
  readonly container?: string;
}
