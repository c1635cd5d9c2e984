import { setTimeout as sleep } from 'node:timers/promises';
import { startExporter } from '../cluster/exporter.js';

const sample = (metrics: string, series: string) =>
  Number(new RegExp(`^${series.replace(/[{}+]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics)?.[1]);

describe('the test exporter answers for each pod with the traffic the tests set', () => {
  test("counters grow at each pod's rates; the longest matching prefix wins; a new profile applies from then on", async () => {
    const exporter = await startExporter();
    const url = `http://127.0.0.1:${exporter.port}`;
    const scrape = async (pod: string) => (await fetch(`${url}/metrics?namespace=shop&pod=${pod}`)).text();
    try {
      const put = (prefix: string, profile: object) =>
        fetch(`${url}/profiles/shop/${prefix}`, { method: 'PUT', body: JSON.stringify(profile) });
      expect((await put('', { requestsPerSecond: 100, errorRatio: 0.5 })).status).toBe(204);
      expect(
        (await put('web-abc', { requestsPerSecond: 100, errorRatio: 0, latencySeconds: 0.3 })).status,
      ).toBe(204);
      await Promise.all([scrape('web-abc-1'), scrape('web-def-1')]);
      await sleep(300);
      const [stable, canary] = await Promise.all([scrape('web-abc-1'), scrape('web-def-1')]);
      expect(sample(stable, 'http_requests_total{code="500"}')).toBe(0);
      expect(sample(stable, 'http_requests_total{code="200"}')).toBeGreaterThan(20);
      expect(sample(stable, 'http_request_duration_seconds_bucket{le="0.25"}')).toBe(0);
      expect(sample(stable, 'http_request_duration_seconds_bucket{le="0.5"}')).toBeGreaterThan(20);
      const errors = sample(canary, 'http_requests_total{code="500"}');
      expect(errors).toBeCloseTo(sample(canary, 'http_requests_total{code="200"}'), 5);

      await put('web-def', { errorRatio: 0 });
      await sleep(300);
      expect(sample(await scrape('web-def-1'), 'http_requests_total{code="500"}')).toBeLessThan(errors + 5);
      expect((await fetch(`${url}/metrics?pod=x`)).status).toBe(400);
    } finally {
      exporter.close();
    }
  });
});
