import { describeOutbound } from 'guard-spec';
import { expressHarness } from './harness';

describeOutbound(expressHarness);
