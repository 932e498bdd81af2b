import { describeLoadShedding } from 'guard-spec';
import { koaHarness } from './harness';

describeLoadShedding(koaHarness);
