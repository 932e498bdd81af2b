import { describeMetrics } from 'guard-spec';
import { koaHarness } from './harness';

describeMetrics(koaHarness);
