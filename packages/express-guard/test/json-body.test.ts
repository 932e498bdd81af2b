import { describeJsonBody } from 'guard-spec';
import { expressHarness } from './harness';

describeJsonBody(expressHarness);
