import { runService } from '../common/runtime/run-service.js';
import { startIngestService } from './service.js';

runService('ingest', startIngestService);
