/**
 * The errors a request can end with, as they travel over either transport.
 *
 * Each is one sentence a person can act on; `fieldErrors` points a form at the fields to fix.
 */
import { z } from 'zod';

export const ERROR_CODES = [
  'invalid-request',
  'unknown-channel',
  'not-found',
  'conflict',
  'keychain-locked',
  'keychain-unavailable',
  'store-too-new',
  'unreachable',
  'unauthorized',
  'confirmation-required',
  'docker',
  'internal',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ApiErrorBody = z.object({
  code: ErrorCode,
  message: z.string(),
  fieldErrors: z.record(z.string(), z.string()).optional(),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

/** Thrown by services and by the renderer's client; carries a code the UI can branch on. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly fieldErrors?: Record<string, string>;

  constructor(code: ErrorCode, message: string, fieldErrors?: Record<string, string>) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    if (fieldErrors) this.fieldErrors = fieldErrors;
  }

  toBody(): ApiErrorBody {
    return { code: this.code, message: this.message, ...(this.fieldErrors ? { fieldErrors: this.fieldErrors } : {}) };
  }

  static fromBody(body: ApiErrorBody): ApiError {
    return new ApiError(body.code, body.message, body.fieldErrors);
  }
}

/** A zod failure as `{ 'settings.port': 'Ports run 1–65535.' }`, first message per field. */
export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || '(request)';
    fields[key] ??= issue.message;
  }
  return fields;
}
