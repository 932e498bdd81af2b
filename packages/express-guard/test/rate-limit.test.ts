import { describeRateLimit } from 'guard-spec';
import { expressHarness } from './harness';

describeRateLimit(expressHarness);
