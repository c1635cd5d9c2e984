import { BatchV1Api } from '@kubernetes/client-node';
import { SCHEDULES } from '../apps/schedules.js';
import { apiError, createNamespace, describeCluster, testKubeConfig } from './cluster.js';

describeCluster("the schedule table against the API server's own verdicts", () => {
  test('every schedule is accepted or refused by a dry-run create exactly as the table (and the library) says', async () => {
    const namespace = await createNamespace('schedules');
    const batch = testKubeConfig().makeApiClient(BatchV1Api);
    const verdicts = await Promise.all(
      SCHEDULES.map(async ([schedule]) => {
        const create = batch.createNamespacedCronJob({
          namespace,
          dryRun: 'All',
          body: {
            metadata: { name: 'probe' },
            spec: {
              schedule,
              jobTemplate: {
                spec: {
                  template: {
                    spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] },
                  },
                },
              },
            },
          },
        });
        const accepted = await create.then(
          () => true,
          async () => (await apiError(create)).code !== 422,
        );
        return [schedule, accepted] as const;
      }),
    );
    expect(verdicts).toEqual(SCHEDULES);
  });
});
