import { runService } from '../common/runtime/run-service.js';
import { createGateway, gatewaySettingsFrom } from './gateway.js';

runService('gateway', async (config, logger) => {
  const app = await createGateway(gatewaySettingsFrom(process.env), logger, {
    bodyLimitBytes: config.bodyLimitBytes,
    epcisCaptureLimit: config.epcisCaptureLimit,
  });
  const url = await app.listen({ port: config.port, host: config.host });
  return { url: url.replace('0.0.0.0', '127.0.0.1'), stop: () => app.close() };
});
