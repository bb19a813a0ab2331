import { runService } from '../common/runtime/run-service.js';
import { startProjectorService } from './service.js';

runService('projector', startProjectorService);
