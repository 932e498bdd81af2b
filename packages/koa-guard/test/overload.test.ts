import { describeOverloadControl } from 'guard-spec';
import { koaHarness } from './harness';

describeOverloadControl(koaHarness);
