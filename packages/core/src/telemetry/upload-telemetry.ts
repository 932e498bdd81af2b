import { isGuardError } from '../errors/guard-error';
import type { MetricAttributes } from './meter-provider';
import { createRefusalSite, rejectionOf } from './refusal';
import type { Telemetry } from './telemetry';

/** What an upload engine reports: stored files, and the one failure of a request. */
export interface UploadTelemetry {
  /** One stored file: `guard.uploads{accepted}` and its size in `guard.upload.size`. */
  accepted(sizeBytes: number): void;
  /**
   * The failure of an upload request: a refusal (it has a `reason`) is described as an `upload`
   * rejection and counted `rejected` by reason; a client that left counts `aborted`; anything
   * else `failed`.
   */
  failed(error: unknown): void;
}

const ACCEPTED: MetricAttributes = Object.freeze({ 'guard.result': 'accepted' });
const ABORTED: MetricAttributes = Object.freeze({ 'guard.result': 'aborted' });
const FAILED: MetricAttributes = Object.freeze({ 'guard.result': 'failed' });

/** The telemetry of one `upload()` engine. */
export function createUploadTelemetry(telemetry: Telemetry): UploadTelemetry {
  const site = createRefusalSite(telemetry, 'upload', 'default');
  const rejected = new Map<string, MetricAttributes>();
  const rejectedBy = (reason: string): MetricAttributes => {
    let attributes = rejected.get(reason);
    if (attributes === undefined) {
      attributes = Object.freeze({ 'guard.result': 'rejected', 'guard.reason': reason });
      rejected.set(reason, attributes);
    }
    return attributes;
  };
  return {
    accepted(sizeBytes) {
      if (!telemetry.enabled) return;
      telemetry.instruments.uploads.add(1, ACCEPTED);
      telemetry.instruments.uploadSize.record(sizeBytes, ACCEPTED);
    },
    failed(error) {
      if (isGuardError(error) && error.reason !== undefined) site.refuse(error);
      if (!telemetry.enabled) return;
      // A refusal another policy described first (the request timeout, the streamed body cap)
      // and that the upload error wraps, keeps that policy's reason.
      const reason = (isGuardError(error) ? error.reason : undefined) ?? rejectionOf(error)?.reason;
      const attributes =
        reason !== undefined
          ? rejectedBy(reason)
          : isGuardError(error) && error.code === 'ERR_GUARD_ABORTED'
            ? ABORTED
            : FAILED;
      telemetry.instruments.uploads.add(1, attributes);
    },
  };
}
