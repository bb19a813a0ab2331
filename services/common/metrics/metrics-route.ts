/**
 * `GET /metrics`: the process's metrics in the Prometheus text format, for a scraper. Public and
 * unlimited like the other probes (authenticate.ts, rate-limit.ts), and documented with them.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { defineOperation, mountOperation } from '../http/operations.js';
import type { Metrics } from './metrics.js';

export const METRICS_PATH = '/metrics';

const getMetrics = defineOperation({
  method: 'GET',
  url: METRICS_PATH,
  operationId: 'getMetrics',
  summary: 'Prometheus metrics of this process (no API key)',
  tag: 'probes',
  public: true,
  answers: {
    200: {
      description: 'Prometheus text exposition format 0.0.4',
      content: { 'text/plain': z.string() },
    },
  },
});

export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics): void {
  mountOperation(app, getMetrics, async ({ reply }) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}
