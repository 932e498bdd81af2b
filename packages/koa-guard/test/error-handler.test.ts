import { describeErrorHandler } from 'guard-spec';
import { koaHarness } from './harness';

describeErrorHandler(koaHarness);
