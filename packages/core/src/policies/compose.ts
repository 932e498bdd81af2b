import { GuardConfigError } from '../errors/guard-config-error';
import { contextOf } from './policy';
import type { ExecuteOptions, Policy, PolicyContext, PolicyFn } from './policy';

/**
 * Composes policies, outermost first, into one: `wrap(retry, breaker, timeout).execute(fn)` retries
 * calls that go through the breaker, each bounded by the timeout. The caller's signal flows through
 * every layer (each layer may narrow it, as a timeout does), and a retry's `attempt` reaches `fn`.
 * @example
 * const policy = wrap(createRetry({ retries: 2 }), breaker, createTimeout(1000));
 * const data = await policy.execute(({ signal, attempt }) => fetchData(signal));
 */
export function wrap(...policies: Policy[]): Policy {
  for (const [index, policy] of policies.entries())
    if (typeof (policy as Partial<Policy> | null)?.execute !== 'function')
      throw new GuardConfigError(
        `wrap: argument ${index} must be a policy (an object with execute()), received ${typeof policy}`,
        String(index),
      );
  return {
    execute<TResult>(fn: PolicyFn<TResult>, options?: ExecuteOptions): Promise<TResult> {
      return run(policies, 0, fn, options);
    },
  };
}

function run<TResult>(
  policies: readonly Policy[],
  index: number,
  fn: PolicyFn<TResult>,
  options: ExecuteOptions | undefined,
): Promise<TResult> {
  const policy = policies[index];
  if (policy === undefined) return callInnermost(fn, options);
  return policy.execute(
    (context: PolicyContext) =>
      run(policies, index + 1, fn, {
        signal: context.signal,
        attempt: context.attempt,
        deadline: options?.deadline,
      }),
    options,
  );
}

async function callInnermost<TResult>(
  fn: PolicyFn<TResult>,
  options: ExecuteOptions | undefined,
): Promise<TResult> {
  return fn(contextOf(options));
}
