import { describeTimeout } from 'guard-spec';
import { expressHarness } from './harness';

describeTimeout(expressHarness);
