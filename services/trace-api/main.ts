import { runService } from '../common/runtime/run-service.js';
import { startTraceApiService } from './service.js';

runService('trace-api', startTraceApiService);
