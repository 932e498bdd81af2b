import { describeConcurrencyLimit } from 'guard-spec';
import { expressHarness } from './harness';

describeConcurrencyLimit(expressHarness);
