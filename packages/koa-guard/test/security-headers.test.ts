import { describeSecurityHeaders } from 'guard-spec';
import { koaHarness } from './harness';

describeSecurityHeaders(koaHarness);
