import { describeDownloads } from 'guard-spec';
import { koaHarness } from './harness';

describeDownloads(koaHarness);
