/**
 * S3's refusals and network failures as one sentence a person can act on.
 *
 * An S3-compatible endpoint answers a refused request with a small XML document whose `<Code>`
 * names the cause (`SignatureDoesNotMatch`, `NoSuchBucket` …); the status alone (403) would not
 * tell a wrong secret key from a missing permission, so the sentence is chosen by that code.
 */

export interface S3ErrorDetail {
  code: string | null;
  message: string | null;
}

/** XML text between `<tag>` and `</tag>`, unescaped; S3 error documents are flat, one of each. */
function element(xml: string, tag: string): string | null {
  const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  if (!match?.[1]) return null;
  return match[1]
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

/** The `<Code>` and `<Message>` of an S3 error reply; nulls when the body is not one. */
export function parseS3Error(body: Buffer): S3ErrorDetail {
  const xml = body.toString('utf8');
  return { code: element(xml, 'Code'), message: element(xml, 'Message') };
}

/** What the refusal of one step (`put`, `get`, `delete`) means, from its status and error code. */
export function s3ErrorSentence(step: 'put' | 'get' | 'delete', status: number, detail: S3ErrorDetail, bucket: string): string {
  switch (detail.code) {
    case 'SignatureDoesNotMatch':
      return 'The endpoint refused the signature — check the secret access key.';
    case 'InvalidAccessKeyId':
      return 'The endpoint does not know this access key ID — check it, and that it belongs to this endpoint.';
    case 'NoSuchBucket':
      return `The endpoint has no bucket ${bucket} — check the bucket name and the region.`;
    case 'AccessDenied':
      return `The endpoint denied the ${step} in bucket ${bucket} — check the key may put, get and delete objects there.`;
    case 'RequestTimeTooSkewed':
      return "The endpoint says this machine's clock is more than 15 minutes off — correct the system time.";
    case 'AuthorizationHeaderMalformed':
    case 'IllegalLocationConstraintException':
    case 'PermanentRedirect':
      return `The endpoint says the bucket ${bucket} is not in this region (${detail.code}) — check the region and the endpoint.`;
    case 'NoSuchKey':
      return 'The object the probe had just written was not there when read back — the endpoint may not be consistent.';
    default: {
      const what = detail.code ? `${status} ${detail.code}${detail.message ? `: ${detail.message.replace(/\.$/, '')}` : ''}` : `HTTP ${status}`;
      return `The endpoint refused the ${step} with ${what} — check the endpoint, the bucket and the keys.`;
    }
  }
}

/** A network failure before any reply (refused, unresolved, reset, a TLS refusal) as one sentence. */
export function networkErrorSentence(endpoint: string, error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  const where = `Could not reach ${endpoint}`;
  switch (code) {
    case 'ECONNREFUSED':
      return `${where}: the connection was refused — check the endpoint and that the service is running.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${where}: its host name does not resolve — check the endpoint (and the bucket name, for virtual-host URLs).`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `${where}: the connection was closed before a reply — check the endpoint is an S3 service.`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${where}: the network did not get through — check the connection and any firewall.`;
    default: {
      if (/CERT|SSL|TLS/i.test(code)) return `${where}: its TLS certificate was refused (${code}) — check the endpoint's certificate or URL.`;
      const message = error instanceof Error ? error.message.replace(/\.$/, '') : String(error);
      return `${where}: ${message} — check the endpoint.`;
    }
  }
}
