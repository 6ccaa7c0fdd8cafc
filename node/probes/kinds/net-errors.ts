/**
 * Network failures as one plain sentence, for a kind's `error`.
 *
 * Node's messages (`connect ECONNREFUSED 127.0.0.1:1`) name the syscall, not what went wrong for
 * the person reading the result; these say which host and what happened.
 */

interface CodedError {
  code?: unknown;
  message?: unknown;
}

/** The `code` of a Node system or TLS error, when it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as CodedError | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** What went wrong reaching `host:port`, as one sentence. */
export function networkErrorSentence(error: unknown, host: string, port: number): string {
  const where = `${host}:${port}`;
  switch (errorCode(error)) {
    case 'ENOTFOUND':
      return `The name ${host} could not be resolved (DNS has no such host).`;
    case 'EAI_AGAIN':
      return `The name ${host} could not be resolved: DNS did not answer.`;
    case 'ECONNREFUSED':
      return `The connection to ${where} was refused.`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `${where} closed the connection.`;
    case 'ETIMEDOUT':
      return `The connection to ${where} timed out.`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${host} cannot be reached from this machine (no route).`;
    default: {
      const message = error instanceof Error ? error.message : String(error);
      return `${where} could not be reached (${message.replace(/\.$/, '')}).`;
    }
  }
}
