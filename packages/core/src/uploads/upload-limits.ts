/** Largest non-file field value, in bytes (multer's default): a 10 MB field is refused with 413. */
export const MAX_FIELD_BYTES = 1024 * 1024;

/** Longest field name, in bytes: a longer one is refused with 413. */
export const MAX_FIELD_NAME_BYTES = 200;
