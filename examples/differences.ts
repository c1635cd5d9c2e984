/**
 * How a ported example may differ from its upstream manifests, field by field (test/examples compares
 * them): on purpose, or because the library still lacks a setting. Every entry must match at least one
 * field that differs, so the lists shrink as the library grows and never hide a change.
 */
export interface KnownDifference {
  /** The fields it covers, as the comparison names them ("Deployment/frontend containers[0] env"). */
  readonly fields: RegExp;
  /** `deliberate`: the port is better off so; `missing`: the library has no setting for it yet. */
  readonly kind: 'deliberate' | 'missing';
  readonly why: string;
}
