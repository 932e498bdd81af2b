import { describeUploads } from 'guard-spec';
import { koaHarness } from './harness';

describeUploads(koaHarness);
