import { describeBruteForce } from 'guard-spec';
import { expressHarness } from './harness';

describeBruteForce(expressHarness);
