/**
 * Errors the agent answers with: a status code and one sentence, as `{ error, statusCode }`
 * (OpsErrorReply in shared/model/ops.ts).
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface ErrorReply {
  error: string;
  statusCode: number;
}

export function errorReply(statusCode: number, error: string): ErrorReply {
  return { error, statusCode };
}
