import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Piscina as PiscinaPool } from 'piscina';
import { requireOptional } from '../deps/optional-dependency';
import { ConcurrencyLimitError } from '../errors/concurrency-limit-error';
import { ResourceLimitError } from '../errors/resource-limit-error';
import { RejectionReasons } from '../telemetry/rejection';
import { TimeoutError } from '../errors/timeout-error';
import { optionReader } from '../options/option-reader';
import { countTimeout } from '../telemetry/counters';
import type { GuardMeterProvider } from '../telemetry/meter-provider';
import { readMeterProvider } from '../telemetry/meter-provider-option';
import { createRefusalSite } from '../telemetry/refusal';
import { createTelemetry } from '../telemetry/telemetry';
import { abortError } from '../policies/abort';
import { CallAbort } from './call-abort';
import { DeadlineQueue } from '../timers/deadline-queue';

/** Options of `createIsolatedPool`. */
export interface IsolatedPoolOptions {
  /** Absolute path (or `file:` URL) of the worker module; its default export (or `module.exports`) is called with each input. Required. */
  filename: string | URL;
  /** Worker threads at most. Default: the number of CPUs (`os.availableParallelism()`). */
  maxWorkers?: number;
  /** Deadline of a call, from submission (queue wait included), in milliseconds; then its worker is terminated. Required. */
  timeoutMs: number;
  /** Heap limit of each worker (V8 old generation), in megabytes; a task above it kills its worker. Required. */
  maxMemoryMb: number;
  /** Calls waiting for a free worker at most; further calls reject with `ConcurrencyLimitError` (503). Default `1000`. */
  maxQueue?: number;
  /** Names the pool in rejection records. Default `'default'`. */
  name?: string;
  /** Where its metrics go (an OpenTelemetry MeterProvider). Default: the global MeterProvider. */
  meterProvider?: GuardMeterProvider;
}

/** Per-call options of `run`. */
export interface IsolatedRunOptions {
  /** Aborts the call: a queued call leaves the queue, a running one has its worker terminated. */
  signal?: AbortSignal | undefined;
}

/** A pool of worker threads with hard limits. */
export interface IsolatedPool {
  /**
   * Runs the worker module on `input` (structured-cloned). Rejects with `TimeoutError` (503) at the
   * deadline, `ResourceLimitError` (503 "Insufficient resources") when the worker ran out of memory or
   * crashed, `ConcurrencyLimitError` (503) when the queue is full, `AbortedError` when `signal` aborted,
   * and with the task's own error when the task threw.
   */
  run<TResult = unknown>(
    this: void,
    input: unknown,
    options?: IsolatedRunOptions,
  ): Promise<TResult>;
  /** Worker threads alive now. */
  readonly workers: number;
  /** Calls waiting for a worker. */
  readonly queued: number;
  /** Terminates every worker and rejects pending calls. */
  close(this: void): Promise<void>;
}

const KNOWN_OPTIONS = [
  'filename',
  'maxWorkers',
  'timeoutMs',
  'maxMemoryMb',
  'maxQueue',
  'name',
  'meterProvider',
] as const;

interface ResolvedPoolOptions {
  filename: string;
  maxWorkers: number;
  timeoutMs: number;
  maxMemoryMb: number;
  maxQueue: number;
  name: string;
  meterProvider: GuardMeterProvider | undefined;
}

function resolvePoolOptions(options: unknown): ResolvedPoolOptions {
  const read = optionReader('createIsolatedPool', options, KNOWN_OPTIONS);
  const rawFilename = read.raw('filename');
  let filename: string;
  if (rawFilename instanceof URL && rawFilename.protocol === 'file:')
    filename = fileURLToPath(rawFilename);
  else filename = read.string('filename', undefined);
  if (filename.startsWith('file:')) filename = fileURLToPath(filename);
  if (!filename.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(filename))
    read.fail('filename', 'an absolute path or a file: URL', rawFilename);
  return {
    filename,
    maxWorkers: read.positiveInteger('maxWorkers', availableParallelism(), 'workers'),
    timeoutMs: read.timerMs('timeoutMs', undefined),
    maxMemoryMb: read.positiveInteger('maxMemoryMb', undefined, 'megabytes'),
    maxQueue: read.nonNegativeInteger('maxQueue', 1000, 'calls'),
    name: read.string('name', 'default'),
    meterProvider: readMeterProvider(read),
  };
}

/** Reason given to piscina when the deadline aborts a call, to tell it from the caller's abort. */
const DEADLINE = Symbol('isolated-pool deadline');

/** A worker that died of something other than the task's own exception. */
// Duck-typed on purpose: errors raised by Node's worker machinery may come from another realm (a
// test runner's VM context), where `instanceof Error` is false.
function isWorkerDeath(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (
    code === 'ERR_WORKER_OUT_OF_MEMORY' ||
    code === 'ERR_WORKER_INIT_FAILED' ||
    (typeof message === 'string' && /^(Terminating worker thread|worker exited)/i.test(message))
  );
}

/**
 * Creates a pool of worker threads (piscina, an optional peer: `npm install piscina`) for heavy or untrusted work that a timeout must really
 * stop: Node cannot interrupt a synchronous loop on the main thread, but it can terminate a worker.
 * Each worker runs with a V8 heap limit (`resourceLimits`); a dead worker is replaced by the pool, and
 * nothing a task does (an endless loop, an allocation storm, `process.exit`) reaches the main thread.
 * @example
 * const pool = createIsolatedPool({ filename: new URL('./resize.mjs', import.meta.url), timeoutMs: 2000, maxMemoryMb: 128 });
 * const thumbnail = await pool.run({ image }, { signal: req.guard.signal });
 * await pool.close(); // at shutdown
 */
export function createIsolatedPool(options: IsolatedPoolOptions): IsolatedPool {
  const { filename, maxWorkers, timeoutMs, maxMemoryMb, maxQueue, name, meterProvider } =
    resolvePoolOptions(options);
  // An optional peer: only apps that isolate work install piscina (and its native helper).
  const { Piscina } = requireOptional<{ Piscina: typeof PiscinaPool }>(
    'piscina',
    'createIsolatedPool',
  );
  const telemetry = createTelemetry(meterProvider);
  // Calls the pool refuses are published on guard:reject; they are calls, not requests.
  const refusals = createRefusalSite(telemetry, 'isolated_pool', name, false);
  const piscina = new Piscina({
    filename,
    maxThreads: maxWorkers,
    // Every worker is started up front and kept: a cold start costs tens of milliseconds, and with
    // fewer minimum threads piscina arms an idle timer after every task (measured in bench/pool.mjs).
    // A dead worker is replaced at once, since the pool never runs below this size.
    minThreads: maxWorkers,
    // The queue bound is enforced below, exactly: piscina's own bound also counts capacity of workers
    // still starting, so it lets a burst through.
    resourceLimits: {
      maxOldGenerationSizeMb: maxMemoryMb,
      // Keep the young generation small so the limit is mostly the configured old generation.
      maxYoungGenerationSizeMb: Math.max(1, Math.min(16, Math.floor(maxMemoryMb / 4))),
    },
  });
  let closed = false;
  // One timer watches every call's deadline (they expire in submission order).
  const deadlines = new DeadlineQueue<CallAbort>(timeoutMs, (handle) => handle.abort(DEADLINE));
  /** Calls submitted and not yet settled: at most `maxWorkers` running plus `maxQueue` waiting. */
  let inFlight = 0;
  const capacity = maxWorkers + maxQueue;

  return {
    get workers() {
      return piscina.threads.length;
    },
    get queued() {
      return Math.max(0, inFlight - maxWorkers, piscina.queueSize);
    },
    run<TResult>(input: unknown, runOptions?: IsolatedRunOptions): Promise<TResult> {
      const outer = runOptions?.signal;
      if (outer?.aborted) return Promise.reject(abortError(outer));
      if (closed)
        return Promise.reject(
          refusals.refuse(
            new ConcurrencyLimitError(undefined, {
              reason: RejectionReasons.CLOSED,
              cause: new Error('isolated pool closed'),
            }),
          ),
        );
      if (inFlight >= capacity)
        return Promise.reject(
          refusals.refuse(
            new ConcurrencyLimitError(undefined, {
              cause: new Error(`isolated pool queue is full (${maxQueue} waiting)`),
            }),
            { limit: capacity },
          ),
        );
      inFlight++;
      const handle = new CallAbort();
      const onOuterAbort = () => handle.abort(outer?.reason);
      const deadline = deadlines.add(handle);
      outer?.addEventListener('abort', onOuterAbort, { once: true });
      return (piscina.run(input, { signal: handle }) as Promise<TResult>).then(
        (value) => {
          inFlight--;
          deadlines.remove(deadline);
          outer?.removeEventListener('abort', onOuterAbort);
          return value;
        },
        (error: unknown) => {
          inFlight--;
          deadlines.remove(deadline);
          outer?.removeEventListener('abort', onOuterAbort);
          const translated = translate(error, handle, outer, timeoutMs);
          if (translated instanceof TimeoutError) countTimeout(telemetry, 'pool');
          else if (translated instanceof ResourceLimitError) refusals.refuse(translated);
          throw translated;
        },
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      deadlines.close();
      telemetry.close();
      await piscina.destroy();
    },
  };
}

function translate(
  error: unknown,
  signal: CallAbort,
  outer: AbortSignal | undefined,
  timeoutMs: number,
): Error {
  if (signal.aborted) {
    if (signal.reason === DEADLINE)
      return new TimeoutError(undefined, {
        source: 'pool',
        cause: new Error(`isolated task ran past ${timeoutMs} ms; its worker was terminated`),
      });
    if (outer?.aborted) return abortError(outer);
  }
  if (isWorkerDeath(error)) return new ResourceLimitError(undefined, { cause: error });
  const { message } = (error ?? {}) as { message?: unknown };
  if (
    message === 'Task queue is at limit' ||
    message === 'No task queue available and all Workers are busy'
  )
    return new ConcurrencyLimitError(undefined, { cause: error });
  return typeof message === 'string' ? (error as Error) : new Error(String(error));
}
