/**
 * What a log line shows where main masked a secret the app keeps in the keychain (see
 * docs/logs.md). One constant for both sides: main writes it into the line before the cache
 * and the transport see it, the renderer only looks for it to colour it.
 */
export const MASKED_SECRET = '[masked secret]';

/** The pane header's explanation of its "n secrets masked" badge. */
export const MASKED_SECRET_HELP =
  `Values this app keeps in the keychain were replaced by ${MASKED_SECRET} before the lines were shown or cached.`;
