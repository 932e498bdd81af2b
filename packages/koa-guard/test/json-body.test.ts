import { describeJsonBody } from 'guard-spec';
import { koaHarness } from './harness';

describeJsonBody(koaHarness);
