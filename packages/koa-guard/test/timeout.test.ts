import { describeTimeout } from 'guard-spec';
import { koaHarness } from './harness';

describeTimeout(koaHarness);
