// The only entry point of express-guard: the Express adapter, plus everything in guard-core.
export * from 'guard-core';
export { errorHandler } from './error-handler';
export { notFound } from './not-found';
export { asyncHandler } from './async-handler';

// Uploads and downloads
export { upload } from './upload';
export type { Upload } from './upload';
export { sendStoredFile } from './send-stored-file';
