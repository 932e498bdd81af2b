import { describeInputLimits } from 'guard-spec';
import { koaHarness } from './harness';

describeInputLimits(koaHarness);
