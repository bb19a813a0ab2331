import { runService } from '../common/runtime/run-service.js';
import { startRecallProcess } from './service.js';

runService('recall', startRecallProcess);
