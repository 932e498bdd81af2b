const MULTIPART = /^multipart\/form-data(?:\s*;|$)/i;

/** Whether a request's `Content-Type` is multipart/form-data (`upload()` refuses anything else with 415). */
export function isMultipart(contentType: string | undefined): boolean {
  return MULTIPART.test(contentType ?? '');
}
