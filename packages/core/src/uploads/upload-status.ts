import type { UploadRecord } from './upload-record';

/** What `status(uploadId)` reports. */
export type UploadStatus =
  | { status: 'processing'; uploadId: string; startedAt: string }
  | { status: 'completed'; uploadId: string; startedAt: string; files: readonly UploadRecord[] }
  | {
      status: 'failed';
      uploadId: string;
      startedAt: string;
      error: { status: number; code: string; detail: string };
    }
  | { status: 'not_found' };

/**
 * Remembers the outcome of the last `max` uploads (a Map keeps insertion order, so the oldest entry is
 * the first key): a flood of uploads cannot grow memory without bound.
 */
export class UploadStatusLog {
  private readonly entries = new Map<string, Exclude<UploadStatus, { status: 'not_found' }>>();

  constructor(private readonly max: number) {}

  set(entry: Exclude<UploadStatus, { status: 'not_found' }>): void {
    this.entries.delete(entry.uploadId);
    this.entries.set(entry.uploadId, entry);
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  get(uploadId: unknown): UploadStatus {
    if (typeof uploadId !== 'string') return { status: 'not_found' };
    return this.entries.get(uploadId) ?? { status: 'not_found' };
  }

  get size(): number {
    return this.entries.size;
  }
}
