import { describeSecurityHeaders } from 'guard-spec';
import { expressHarness } from './harness';

describeSecurityHeaders(expressHarness);
