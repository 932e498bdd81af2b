import { describeMisuse } from 'guard-spec';
import { koaHarness } from './harness';

describeMisuse(koaHarness);
