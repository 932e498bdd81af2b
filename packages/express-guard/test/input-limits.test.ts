import { describeInputLimits } from 'guard-spec';
import { expressHarness } from './harness';

describeInputLimits(expressHarness);
