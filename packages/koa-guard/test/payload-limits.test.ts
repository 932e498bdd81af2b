import { describePayloadLimits } from 'guard-spec';
import { koaHarness } from './harness';

describePayloadLimits(koaHarness);
