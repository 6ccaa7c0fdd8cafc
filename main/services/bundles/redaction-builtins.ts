/**
 * The built-in redaction rules: secrets recognisable by their shape or by the name beside them.
 * Each keeps what is not secret readable — the key name, the header name, the URL's user — and
 * puts REDACTED where the secret was.
 *
 * Speed: a bundle can hold gigabytes of log lines, nearly all clean. Every rule has a `trigger`,
 * a cheap test its pattern cannot match without, and BUILTIN_TRIGRAMS holds three characters of
 * every trigger: a clean line costs one pass of TrigramFilter, and only a line it lets through
 * runs the triggers, then the rules whose trigger matches (see bundle-redaction.ts).
 *
 * Order matters: the more specific rule goes first (an Authorization header before a bearer token
 * in text, a JWT before a `token=` pair), and a value already REDACTED is not counted again.
 */
import { REDACTED } from '../../../node/redact/redactor';
import { TrigramFilter } from '../../../node/redact/literal-scan';

/** What replaced one match: the new text and how many secrets it hid (0: only tidied up). */
export interface Masked {
  text: string;
  count: number;
}

export interface BuiltinRule {
  name: string;
  trigger: RegExp;
  /** Global; its capture groups are handed to `redact`. */
  pattern: RegExp;
  /** The match's replacement, or null to leave it as it is. */
  redact(groups: (string | undefined)[]): Masked | null;
}

export const BEARER_TOKEN = 'bearer token';
export const API_KEY = 'API key';
export const AWS_ACCESS_KEY = 'AWS access key';
export const PRIVATE_KEY_BLOCK = 'private key block';
export const JWT = 'JWT';
export const PASSWORD_IN_URL = 'password in URL';
export const SECRET_PAIR = 'secret pair';
export const CONNECTION_STRING = 'connection string';
export const AUTHORIZATION_HEADER = 'Authorization header';
export const COOKIE_HEADER = 'Cookie header';

/**
 * `before` + REDACTED + `after`, counted once — unless the secret is empty or already REDACTED.
 * A value that only partly is (a keychain secret inside a longer value) is redacted whole but
 * not counted again: the report counts each secret once.
 */
export function mask(before: string, secret: string | undefined, after = ''): Masked | null {
  if (!secret || secret === REDACTED) return null;
  return { text: `${before}${REDACTED}${after}`, count: secret.includes(REDACTED) ? 0 : 1 };
}

/** Key names whose value is a secret: `password`, `client_secret`, `access_token`, `apiKey`... */
const SECRET_KEY_WORDS = '(?:password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)(?:[_-]?(?:key|value))?';
/**
 * A whole JSON key that names a secret (json() redacts its string value). Key prefixes are
 * bounded ({0,64}) here and below: unbounded, a long run of `a_a_a_…` in a line with `token` in
 * it made the pair patterns quadratic.
 */
export const SECRET_KEY = new RegExp(`^[A-Za-z0-9_.-]{0,64}?${SECRET_KEY_WORDS}$`, 'i');
export const AUTHORIZATION_KEY = /^(?:proxy-)?authorization$/i;
export const COOKIE_KEY = /^(?:set-)?cookie$/i;

/** Keeps quotes around a value readable: `password="[redacted]"`. */
function maskQuoted(before: string, doubleQuoted: string | undefined, singleQuoted: string | undefined, bare: string | undefined): Masked | null {
  if (doubleQuoted !== undefined) return mask(`${before}"`, doubleQuoted, '"');
  if (singleQuoted !== undefined) return mask(`${before}'`, singleQuoted, "'");
  return mask(before, bare);
}

/** `name=value; name2=value2`: every value (a Cookie header) or only the first (Set-Cookie). */
function maskCookies(value: string, firstOnly: boolean): Masked {
  let count = 0;
  let seen = 0;
  const text = value.replace(/((?:^|;)\s*[^=;\s]+=)([^;]*)/g, (whole, name: string, cookie: string) => {
    if (firstOnly && seen++ > 0) return whole;
    const masked = mask(name, cookie.trim() ? cookie : undefined);
    if (!masked) return whole;
    count += masked.count;
    return masked.text;
  });
  return { text, count };
}

export const BUILTIN_RULES: readonly BuiltinRule[] = [
  {
    name: AUTHORIZATION_HEADER,
    trigger: /authorization/i,
    pattern:
      /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:(?:bearer|basic|token|digest|bot|apikey|negotiate|aws4-hmac-sha256)\s+)?)([^\s"',;]+)/gi,
    redact: ([before, secret]) => mask(before!, secret),
  },
  {
    name: COOKIE_HEADER,
    trigger: /cookie/i,
    pattern: /\b((?:set-)?cookie)(["']?\s*:\s*["']?)([^\r\n"']*)/gi,
    redact: ([name, separator, value]) => {
      const masked = maskCookies(value!, name!.toLowerCase() === 'set-cookie');
      return masked.text === value ? null : { text: `${name}${separator}${masked.text}`, count: masked.count };
    },
  },
  {
    name: JWT,
    trigger: /eyJ/,
    pattern: /(?<![A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)/g,
    redact: ([token]) => mask('', token),
  },
  {
    name: CONNECTION_STRING,
    trigger: /(?:postgres|mysql|mariadb|mongodb|redis|amqp)[a-z+]*:\/\//i,
    pattern: /\b((?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?):\/\/[^\s:/@]*:)([^\s/?#]+)(@)/gi,
    redact: ([before, secret, after]) => mask(before!, secret, after),
  },
  {
    // ADO.NET and ODBC: `Server=db;User Id=app;Password=...;`
    name: CONNECTION_STRING,
    trigger: /(?:server|data source|host|address)\s*=[^;]*;/i,
    pattern: /(\b(?:password|pwd)\s*=\s*)([^;"'\r\n]+)/gi,
    redact: ([before, secret]) => mask(before!, secret),
  },
  {
    name: PASSWORD_IN_URL,
    trigger: /:\/\//,
    pattern: /\b([a-z][a-z0-9+.-]{0,30}:\/\/[^\s:/@]*:)([^\s/?#]+)(@)/gi,
    redact: ([before, secret, after]) => mask(before!, secret, after),
  },
  {
    name: AWS_ACCESS_KEY,
    trigger: /AKIA|ASIA/,
    pattern: /(?<![A-Za-z0-9])((?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Za-z0-9])/g,
    redact: ([key]) => mask('', key),
  },
  {
    name: AWS_ACCESS_KEY,
    trigger: /secret_?access_?key/i,
    pattern: /\b((?:aws_?)?secret_?access_?key["']?\s*[:=]\s*["']?)([A-Za-z0-9/+=]{20,})/gi,
    redact: ([before, secret]) => mask(before!, secret),
  },
  {
    name: API_KEY,
    trigger: /sk-|[sr]k_(?:live|test)_|gh[pousr]_|github_pat_|xox[abposr]-|AIza|cra_/,
    pattern:
      /(?<![A-Za-z0-9_-])(sk-[A-Za-z0-9_-]{20,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}|xox[abposr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}|cra_[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/g,
    redact: ([key]) => mask('', key),
  },
  {
    // A long hex or base64 value after an api_key / apikey / x-api-key name; shorter ones are
    // left to the secret-pair rule.
    name: API_KEY,
    trigger: /api[_-]?key/i,
    pattern: /\b((?:x-)?api[_-]?key["']?\s*[:=]\s*["']?)([A-Za-z0-9+/_=.-]{16,})/gi,
    redact: ([before, secret]) => mask(before!, secret),
  },
  {
    // A bearer token in free text; it must hold a digit or punctuation, so "bearer authentication"
    // stays.
    name: BEARER_TOKEN,
    trigger: /bearer/i,
    pattern: /\b(bearer\s+)((?=[A-Za-z0-9._~+/-]*[0-9._~+/-])[A-Za-z0-9._~+/-]{8,}=*)/gi,
    redact: ([before, token]) => mask(before!, token),
  },
  {
    // `password=...`, `client_secret='...'`, `?access_token=...&` in text. Only with `=`: "token:
    // expired" and "password reset email sent" are ordinary log lines.
    name: SECRET_PAIR,
    trigger: /pass|secret|token|api[_-]?key|access[_-]?key|private[_-]?key/i,
    pattern: new RegExp(`((?<![A-Za-z0-9])[A-Za-z0-9_.-]{0,64}?${SECRET_KEY_WORDS}\\s*=\\s*)(?:"([^"]*)"|'([^']*)'|([^\\s&,;"'<>]+))`, 'gi'),
    redact: ([before, doubleQuoted, singleQuoted, bare]) => maskQuoted(before!, doubleQuoted, singleQuoted, bare),
  },
  {
    // `"password": "..."` in JSON text (a log line that prints a request body).
    name: SECRET_PAIR,
    trigger: /pass|secret|token|api[_-]?key|access[_-]?key|private[_-]?key/i,
    pattern: new RegExp(`("[A-Za-z0-9_.-]{0,64}?${SECRET_KEY_WORDS}"\\s*:\\s*")((?:[^"\\\\]|\\\\.)*)(")`, 'gi'),
    redact: ([before, secret, after]) => mask(before!, secret, after),
  },
];

/**
 * Private key blocks, also across lines within one text. Handled by the redactor itself: a
 * block whose END is not in this text (a log read line by line) keeps the rest of the file's
 * lines redacted until the END line comes.
 */
export const PRIVATE_KEY_TRIGGER = /PRIVATE KEY/;
export const PRIVATE_KEY_PATTERN = /(-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)([\s\S]*?)(-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)/g;
export const PRIVATE_KEY_END = /-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;

/**
 * Three characters every text a built-in rule can redact holds (any case): at least one of each
 * rule's trigger — `riz` of authorization, `ssw` of password, `ecr` of secret, `://` of a URL.
 * A text with none of them needs no rule at all, and TrigramFilter tells in one pass. The unit
 * tests run every rule's examples through the redactor, so a rule this list misses fails there.
 */
export const BUILTIN_TRIGRAMS = [
  'riz', // authorization
  'oki', // cookie, set-cookie
  'iva', // PRIVATE KEY, private_key
  'eyj', // JWT
  '://', // URLs: password in URL, connection strings
  'ssw', // password, passwd
  'ssp', // passphrase
  'pwd', // Pwd= in connection strings
  'ecr', // secret, secret_access_key
  'tok', // token
  'kia', // AKIA
  'sia', // ASIA
  'sk-', // sk-...
  'sk_', // sk_live_, access_key
  'rk_', // rk_live_
  'hp_', // ghp_
  'ho_', // gho_
  'hu_', // ghu_
  'hs_', // ghs_
  'hr_', // ghr_
  'b_p', // github_pat_
  'xox', // Slack tokens
  'iza', // AIza
  'ra_', // cra_ (agent tokens)
  'i_k', // api_key
  'i-k', // api-key, x-api-key
  'pik', // apikey
  's-k', // access-key
  'ssk', // accesskey
  'e_k', // private_key
  'e-k', // private-key
  'tek', // privatekey
  'rer', // bearer
] as const;

const builtinFilter = new TrigramFilter(BUILTIN_TRIGRAMS);

/** False when no built-in rule can match `text`: the fast path for clean lines. */
export function mayNeedBuiltins(text: string): boolean {
  return builtinFilter.mayMatch(text);
}

/** The built-in rule names, in the order they apply. */
export const BUILTIN_RULE_NAMES: readonly string[] = [
  ...new Set([AUTHORIZATION_HEADER, COOKIE_HEADER, PRIVATE_KEY_BLOCK, ...BUILTIN_RULES.map((rule) => rule.name)]),
];
