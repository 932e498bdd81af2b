import { describeOutbound } from 'guard-spec';
import { koaHarness } from './harness';

describeOutbound(koaHarness);
