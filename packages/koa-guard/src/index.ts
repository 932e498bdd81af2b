// The only entry point of koa-guard: the Koa adapter, plus everything in guard-core.
export * from 'guard-core';
export { errorHandler } from './error-handler';

// Uploads and downloads
export { upload } from './upload';
export type { Upload } from './upload';
export { sendStoredFile } from './send-stored-file';
