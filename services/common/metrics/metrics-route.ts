/**
 * `GET /metrics`: the process's metrics in the Prometheus text format, for a scraper. Public and
 * unlimited like the other probes (authenticate.ts, rate-limit.ts), and documented with them.
 */
import type { FastifyInstance, FastifySchema } from 'fastify';
import type { Metrics } from './metrics.js';

export const METRICS_PATH = '/metrics';

const metricsSchema: FastifySchema = {
  tags: ['probes'],
  summary: 'Prometheus metrics of this process (no API key)',
  security: [],
  response: {
    200: {
      description: 'Prometheus text exposition format 0.0.4',
      content: { 'text/plain': { schema: { type: 'string' } } },
    },
  },
};

export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.get(METRICS_PATH, { schema: metricsSchema }, async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}
