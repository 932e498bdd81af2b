import { describeOverloadControl } from 'guard-spec';
import { expressHarness } from './harness';

describeOverloadControl(expressHarness);
