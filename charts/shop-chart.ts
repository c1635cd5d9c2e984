import type { ChartProps } from 'cdk8s';
import { Chart, Size } from 'cdk8s';
import type { Construct } from 'constructs';
import * as plus from '../lib/core/plus.js';

export interface ShopChartProps extends ChartProps {
  /**
   * Image of the shop's API.
   *
   * @default 'ghcr.io/cdk8s-devops/shop-api:1.4.2'
   */
  readonly apiImage?: string;
}

/** The default app's storefront: an API behind a Service, running as its own ServiceAccount. */
export class ShopChart extends Chart {
  public readonly api: plus.Deployment;
  public readonly apiService: plus.Service;

  public constructor(scope: Construct, id: string, props: ShopChartProps = {}) {
    super(scope, id, { ...props, labels: { 'app.kubernetes.io/part-of': 'shop', ...props.labels } });
    const serviceAccount = new plus.ServiceAccount(this, 'api-sa', { automountToken: false });
    this.api = new plus.Deployment(this, 'api', {
      replicas: 2,
      serviceAccount,
      automountServiceAccountToken: false,
      containers: [
        {
          name: 'api',
          image: props.apiImage ?? 'ghcr.io/cdk8s-devops/shop-api:1.4.2',
          portNumber: 8080,
          resources: {
            cpu: { request: plus.Cpu.millis(100), limit: plus.Cpu.millis(500) },
            memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
          },
        },
      ],
    });
    this.apiService = this.api.exposeViaService({ name: 'api', ports: [{ port: 80, targetPort: 8080 }] });
  }
}
