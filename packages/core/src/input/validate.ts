import type { StandardSchemaV1 } from '@standard-schema/spec';
import { InvalidInputError } from '../errors/invalid-input-error';
import { optionReader } from '../options/option-reader';

/** The request parts `validate()` checks, each with any Standard Schema validator (zod, valibot, arktype…). */
export interface ValidationSchemas {
  body?: StandardSchemaV1;
  query?: StandardSchemaV1;
  params?: StandardSchemaV1;
}

/** Options of `validate()`. */
export interface ValidateOptions {
  /** Add `invalidParams: [{ name: 'body.age', reason }]` to the 400. Default `false`: the client
   * learns only that the input was invalid. */
  revealFields?: boolean;
}

/** One failing field, as RFC 9457's `invalidParams` extension shows it. */
export interface InvalidParam {
  name: string;
  reason: string;
}

/** The request parts to validate. */
export interface ValidationInput {
  body?: unknown;
  query?: unknown;
  params?: unknown;
}

/** Validates request parts; resolves with the schemas' output values (coerced, defaulted). */
export interface RequestValidator {
  validate(input: ValidationInput): Promise<ValidationInput>;
}

const PARTS = ['body', 'query', 'params'] as const;

function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  const standard = (value as { '~standard'?: { validate?: unknown } } | null)?.['~standard'];
  return typeof standard?.validate === 'function';
}

function pathName(part: string, path: StandardSchemaV1.Issue['path']): string {
  const segments = (path ?? []).map((segment) =>
    String(typeof segment === 'object' ? segment.key : segment),
  );
  return [part, ...segments].join('.');
}

/**
 * Creates a request validator over Standard Schema validators.
 * @example
 * const validator = createRequestValidator({ body: z.object({ age: z.number() }) });
 * const { body } = await validator.validate({ body: req.body });
 */
export function createRequestValidator(
  schemas: ValidationSchemas,
  options: ValidateOptions = {},
  factory = 'createRequestValidator',
): RequestValidator {
  const readSchemas = optionReader(factory, schemas, PARTS, 'schemas.');
  const present = PARTS.filter((part) => readSchemas.has(part));
  for (const part of present) {
    if (!isStandardSchema(readSchemas.raw(part)))
      readSchemas.fail(part, 'a Standard Schema validator (zod, valibot, arktype…)', schemas[part]);
  }
  if (present.length === 0)
    readSchemas.fail('body', 'set: give at least one of body, query, params', undefined);
  const revealFields = optionReader(factory, options, ['revealFields']).boolean(
    'revealFields',
    false,
  );

  return {
    async validate(input) {
      const output: ValidationInput = { ...input };
      const invalidParams: InvalidParam[] = [];
      for (const part of present) {
        const schema = schemas[part] as StandardSchemaV1;
        let result = schema['~standard'].validate(input[part]);
        if (result instanceof Promise) result = await result;
        if (result.issues) {
          for (const issue of result.issues)
            invalidParams.push({ name: pathName(part, issue.path), reason: issue.message });
        } else {
          output[part] = result.value;
        }
      }
      if (invalidParams.length > 0) {
        // Field names and reasons describe the schema; they go out only when asked for.
        throw new InvalidInputError(undefined, {
          cause: new Error(JSON.stringify(invalidParams)),
          ...(revealFields ? { extensions: { invalidParams } } : {}),
        });
      }
      return output;
    },
  };
}
