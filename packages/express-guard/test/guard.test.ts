import { describeGuard } from 'guard-spec';
import { expressHarness } from './harness';

describeGuard(expressHarness);
