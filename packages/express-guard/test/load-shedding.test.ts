import { describeLoadShedding } from 'guard-spec';
import { expressHarness } from './harness';

describeLoadShedding(expressHarness);
