import { describeBruteForce } from 'guard-spec';
import { koaHarness } from './harness';

describeBruteForce(koaHarness);
