import { describeGuard } from 'guard-spec';
import { koaHarness } from './harness';

describeGuard(koaHarness);
