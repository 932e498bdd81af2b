import { describeUploads } from 'guard-spec';
import { expressHarness } from './harness';

describeUploads(expressHarness);
