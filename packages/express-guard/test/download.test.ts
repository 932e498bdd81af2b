import { describeDownloads } from 'guard-spec';
import { expressHarness } from './harness';

describeDownloads(expressHarness);
