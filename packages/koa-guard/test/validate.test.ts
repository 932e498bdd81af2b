import { describeValidate } from 'guard-spec';
import { koaHarness } from './harness';

describeValidate(koaHarness);
