import { describePayloadLimits } from 'guard-spec';
import { expressHarness } from './harness';

describePayloadLimits(expressHarness);
