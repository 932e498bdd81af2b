/**
 * One stored upload, as handlers see it (`req.upload` / `ctx.state.upload`) and as
 * `<storedName>.meta.json` holds it.
 */
export interface UploadRecord {
  /** The record's id: the request's `uploadId` for `.single()`, a fresh id per file for `.array()`. */
  id: string;
  /** The request's upload id (`.array()` records only; for `.single()` it equals `id`). */
  uploadId?: string;
  /** The client's file name, NFC-normalised; informative only, never used as a path. */
  originalName: string;
  /** The generated name of the file in `dir` (a timestamp, a UUID and the extension). */
  storedName: string;
  /** Size in bytes. */
  size: number;
  /** Lower-case hex sha256 of the content. */
  sha256: string;
  /** The mime type decided from the content (and the extension for text). */
  mimeType: string;
  /** The lower-cased last extension, with its dot. */
  extension: string;
  /** ISO 8601 time the upload was stored. */
  uploadedAt: string;
}
