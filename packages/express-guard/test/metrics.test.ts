import { describeMetrics } from 'guard-spec';
import { expressHarness } from './harness';

describeMetrics(expressHarness);
