import { describeMisuse } from 'guard-spec';
import { expressHarness } from './harness';

describeMisuse(expressHarness);
