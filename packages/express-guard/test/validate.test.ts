import { describeValidate } from 'guard-spec';
import { expressHarness } from './harness';

describeValidate(expressHarness);
