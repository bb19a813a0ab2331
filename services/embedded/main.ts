import { printGeneratedAdminKey, runService } from '../common/runtime/run-service.js';
import { startEmbeddedPlatform } from './platform.js';

runService('embedded', async (config, logger) => {
  const platform = await startEmbeddedPlatform(config, logger.child({ mode: 'embedded' }));
  if (platform.generatedAdminKey) printGeneratedAdminKey(platform.generatedAdminKey);
  return platform;
});
