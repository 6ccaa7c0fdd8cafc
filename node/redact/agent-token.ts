/**
 * What an agent bearer token looks like, for whoever has to recognise one in free text: the
 * agent issues them (agent/tokens.ts), the app stores them for its ops-API targets, and either
 * side's support bundle must redact one that leaked into a log line or a URL.
 */

/** `cra_` + 32 random bytes in base64url: recognisable in a leaked log, so it can be redacted. */
export const TOKEN_PREFIX = 'cra_';
/** A whole token, not a longer run of base64url characters that happens to contain one. */
export const TOKEN_PATTERN = /(?<![A-Za-z0-9_-])cra_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;
