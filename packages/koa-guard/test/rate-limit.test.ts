import { describeRateLimit } from 'guard-spec';
import { koaHarness } from './harness';

describeRateLimit(koaHarness);
