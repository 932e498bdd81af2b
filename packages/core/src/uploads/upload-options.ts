import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { optionReader } from '../options/option-reader';
import type { GuardMeterProvider } from '../telemetry/meter-provider';
import { readMeterProvider } from '../telemetry/meter-provider-option';

/** Options of `upload()` in both adapters. */
export interface UploadOptions {
  /** Folder the accepted files are stored in; created with mode 0700 when missing. Required. */
  dir: string;
  /** Folder for files being received; must be on the same filesystem as `dir` (the final rename is atomic). Default `<dir>/.tmp`. */
  tmpDir?: string;
  /** Largest accepted file, in bytes; one byte more is refused with 413 the moment it arrives. Default 5,242,880 (5 MiB). */
  maxFileBytes?: number;
  /** Most files per request (`.array(field, max)` accepts `min(max, maxFiles)`). Default 1. */
  maxFiles?: number;
  /** Most non-file fields per request. Default 20. */
  maxFields?: number;
  /** Accepted extensions, with their dot; compared with the file name's last extension, lower-cased. Default `.txt .pdf .jpg .png .doc .docx`. */
  allowedExtensions?: readonly string[];
  /** Free space `dir`'s filesystem must keep, in bytes; below it uploads get 507. Default 100,000,000. */
  minFreeDiskBytes?: number;
  /** Refuse script content (`<script`, `<?php`, `<%`, `javascript:`) in text files, and `<?php` in binary ones. Default `true`. */
  scanText?: boolean;
  /** Where `upload()` records its metrics (an OpenTelemetry MeterProvider). Default: the global one. */
  meterProvider?: GuardMeterProvider;
}

/** `UploadOptions` with every field resolved. */
export interface ResolvedUploadOptions {
  readonly dir: string;
  readonly tmpDir: string;
  readonly maxFileBytes: number;
  readonly maxFiles: number;
  readonly maxFields: number;
  readonly allowedExtensions: ReadonlySet<string>;
  readonly minFreeDiskBytes: number;
  readonly scanText: boolean;
  /** `undefined`: the global MeterProvider. */
  readonly meterProvider: GuardMeterProvider | undefined;
}

const KNOWN_OPTIONS = [
  'dir',
  'tmpDir',
  'maxFileBytes',
  'maxFiles',
  'maxFields',
  'allowedExtensions',
  'minFreeDiskBytes',
  'scanText',
  'meterProvider',
] as const;

/** The contract's default allow-list. */
export const DEFAULT_ALLOWED_EXTENSIONS: readonly string[] = [
  '.txt',
  '.pdf',
  '.jpg',
  '.png',
  '.doc',
  '.docx',
];

const EXTENSION = /^\.[\p{L}\p{N}_-]+$/u;

/**
 * Checks `upload()` options and prepares the folders, at construction: `dir` and `tmpDir` are created
 * with mode 0700 and must share a filesystem, so a bad setup fails at start-up, not on the first upload.
 */
export function resolveUploadOptions(options: unknown, factory = 'upload'): ResolvedUploadOptions {
  const read = optionReader(factory, options, KNOWN_OPTIONS);
  if (!read.has('dir')) read.fail('dir', 'a folder path (string)', undefined);
  const dir = resolve(read.string('dir', undefined));
  const tmpDir = resolve(read.has('tmpDir') ? read.string('tmpDir', undefined) : join(dir, '.tmp'));
  const maxFileBytes = read.positiveInteger('maxFileBytes', 5_242_880, 'bytes');
  const maxFiles = read.positiveInteger('maxFiles', 1, 'files');
  const maxFields = read.nonNegativeInteger('maxFields', 20, 'fields');
  const minFreeDiskBytes = read.nonNegativeInteger('minFreeDiskBytes', 100_000_000, 'bytes');
  const scanText = read.boolean('scanText', true);
  const rawExtensions = read.raw('allowedExtensions') ?? DEFAULT_ALLOWED_EXTENSIONS;
  if (!Array.isArray(rawExtensions) || rawExtensions.length === 0)
    read.fail('allowedExtensions', 'a non-empty array of extensions such as ".pdf"', rawExtensions);
  const allowedExtensions = new Set<string>();
  (rawExtensions as unknown[]).forEach((extension, index) => {
    if (typeof extension !== 'string' || !EXTENSION.test(extension))
      return read.fail(
        `allowedExtensions[${index}]`,
        'an extension with its dot, such as ".pdf"',
        extension,
      );
    allowedExtensions.add(extension.normalize('NFKC').toLowerCase());
  });

  for (const [key, folder] of [
    ['dir', dir],
    ['tmpDir', tmpDir],
  ] as const) {
    try {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
    } catch (error) {
      read.fail(key, `a folder that can be created (${(error as Error).message})`, folder);
    }
  }
  if (statSync(dir).dev !== statSync(tmpDir).dev)
    read.fail('tmpDir', `a folder on the same filesystem as "dir" (${dir})`, tmpDir);

  return Object.freeze({
    dir,
    tmpDir,
    maxFileBytes,
    maxFiles,
    maxFields,
    allowedExtensions,
    minFreeDiskBytes,
    scanText,
    meterProvider: readMeterProvider(read),
  });
}
