import { describeConcurrencyLimit } from 'guard-spec';
import { koaHarness } from './harness';

describeConcurrencyLimit(koaHarness);
