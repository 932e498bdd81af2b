import { describeErrorHandler } from 'guard-spec';
import { expressHarness } from './harness';

describeErrorHandler(expressHarness);
