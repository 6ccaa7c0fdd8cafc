/**
 * The built-in redaction rules of support bundles (main/services/bundles/redaction-builtins.ts
 * through BundleRedactor): each rule with lines it must redact — keeping the key name, header
 * name or URL user readable — and ordinary log lines it must leave alone.
 */
import { describe, expect, it } from 'vitest';
import { BundleRedactor } from '../../../main/services/bundles/bundle-redaction';
import { REDACTED } from '../../../node/redact/redactor';

const R = REDACTED;

/** The line redacted by built-ins only, and which rules counted what. */
function redact(line: string): { out: string; rules: Record<string, number> } {
  const redactor = new BundleRedactor({ secrets: [], rules: [] });
  const out = redactor.text('logs/app.ndjson', line);
  const rules: Record<string, number> = {};
  for (const { rule, count } of redactor.counts()) rules[rule] = (rules[rule] ?? 0) + count;
  return { out, rules };
}

const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

/** Lines a real service prints all day: none of them holds a secret. */
const ORDINARY = [
  'token bucket refilled: 20 tokens available',
  'password reset email sent to user@example.com',
  'GET https://api.example.com:443/v1/items?page=2 200 12ms',
  'connected to postgres://db.internal:5432/app',
  'the bearer of bad news, the bearer authentication scheme',
  'max_tokens=512 temperature=0.2',
  'secretary=alice assigned ticket 42',
  'Authorization header missing from request',
  'cookie consent banner shown',
  'ssh://git@github.com:22/org/repo.git cloned',
  'Asia/Tokyo timezone loaded, AKIAshort',
  'task-runner-sk-compatibility mode on',
  'error fetching token: connection refused',
  'api_key not configured; skipping upload',
  'using private key file ~/.ssh/id_ed25519',
  'server=db1 ready',
];

describe('built-in redaction rules', () => {
  it('leaves ordinary log lines alone', () => {
    for (const line of ORDINARY) expect(redact(line), line).toEqual({ out: line, rules: {} });
  });

  it('bearer token: in text, with the word kept', () => {
    expect(redact('calling upstream with bearer abcDEF123.456-xyz_789 ok')).toEqual({
      out: `calling upstream with bearer ${R} ok`,
      rules: { 'bearer token': 1 },
    });
    expect(redact('Bearer realm="api"').out).toBe('Bearer realm="api"');
  });

  it('Authorization header: the scheme kept, the credential hidden; in headers and in JSON text', () => {
    expect(redact('Authorization: Bearer abc123def456ghi')).toEqual({ out: `Authorization: Bearer ${R}`, rules: { 'Authorization header': 1 } });
    expect(redact('proxy-authorization: Basic dXNlcjpwYXNz').out).toBe(`proxy-authorization: Basic ${R}`);
    expect(redact('{"authorization":"Token 9f8e7d6c5b4a"}').out).toBe(`{"authorization":"Token ${R}"}`);
  });

  it('Cookie header: every cookie value, the names kept; Set-Cookie only its cookie, not its attributes', () => {
    expect(redact('Cookie: session=abc123; theme=dark')).toEqual({ out: `Cookie: session=${R}; theme=${R}`, rules: { 'Cookie header': 2 } });
    expect(redact('Set-Cookie: sid=s3cr3tvalue; Path=/; HttpOnly; Max-Age=3600').out).toBe(`Set-Cookie: sid=${R}; Path=/; HttpOnly; Max-Age=3600`);
  });

  it('API key: common token shapes and long values after api_key names', () => {
    const keys = [
      `sk-proj-${'a1B2'.repeat(10)}`,
      `sk_live_${'Z9y8'.repeat(6)}`,
      `ghp_${'A'.repeat(36)}`,
      `gho_${'b'.repeat(36)}`,
      `github_pat_11ABCDEFG0${'x'.repeat(40)}`,
      'xoxb-123456789012-abcdefABCDEF',
      `AIza${'S'.repeat(35)}`,
      `cra_${'Q'.repeat(43)}`,
    ];
    for (const key of keys) expect(redact(`using key ${key} for upload`), key).toEqual({ out: `using key ${R} for upload`, rules: { 'API key': 1 } });
    expect(redact('x-api-key: 0123456789abcdef0123456789abcdef')).toEqual({ out: `x-api-key: ${R}`, rules: { 'API key': 1 } });
    expect(redact('apikey=QUJDREVGR0hJSktMTU5PUA==').out).toBe(`apikey=${R}`);
    // Inside a longer word it is not a key.
    expect(redact(`mask-${'a'.repeat(30)}`).out).toBe(`mask-${'a'.repeat(30)}`);
  });

  it('AWS access key: key ids and secret access key values', () => {
    expect(redact('aws key AKIAIOSFODNN7EXAMPLE loaded')).toEqual({ out: `aws key ${R} loaded`, rules: { 'AWS access key': 1 } });
    expect(redact('session ASIAY34FZKBOKMUTVV7A')).toEqual({ out: `session ${R}`, rules: { 'AWS access key': 1 } });
    expect(redact('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toEqual({
      out: `aws_secret_access_key = ${R}`,
      rules: { 'AWS access key': 1 },
    });
  });

  it('private key block: the body hidden, the armour lines kept, across lines of one text', () => {
    const block = '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7x\nq9Zk3lT==\n-----END RSA PRIVATE KEY-----';
    expect(redact(`key:\n${block}\ndone`)).toEqual({
      out: `key:\n-----BEGIN RSA PRIVATE KEY-----\n${R}\n-----END RSA PRIVATE KEY-----\ndone`,
      rules: { 'private key block': 1 },
    });
    expect(redact('-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXk\\n-----END OPENSSH PRIVATE KEY-----').out).toBe(
      `-----BEGIN OPENSSH PRIVATE KEY-----${R}-----END OPENSSH PRIVATE KEY-----`,
    );
    // A block cut off inside the text: everything after BEGIN goes.
    expect(redact('-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB').out).toBe(`-----BEGIN EC PRIVATE KEY-----\n${R}`);
    expect(redact('-----BEGIN PUBLIC KEY-----\nMFkwEwYH\n-----END PUBLIC KEY-----').rules).toEqual({});
  });

  it('private key block: a log read line by line stays redacted until its END line', () => {
    const redactor = new BundleRedactor({ secrets: [], rules: [] });
    const lines = ['starting', '-----BEGIN PRIVATE KEY-----', 'MIIEvQIBADANBgkqhkiG9w0B', 'AQEFAASCBKcwggSjAgEAAoIB', '-----END PRIVATE KEY-----', 'after'];
    const out = lines.map((line) => redactor.text('logs/a.ndjson', line));
    expect(out).toEqual(['starting', '-----BEGIN PRIVATE KEY-----', R, R, '-----END PRIVATE KEY-----', 'after']);
    // Another file is not inside that block.
    expect(redactor.text('logs/b.ndjson', 'MIIEvQIBADANBgkqhkiG9w0B')).toBe('MIIEvQIBADANBgkqhkiG9w0B');
    expect(redactor.counts()).toEqual([{ rule: 'private key block', file: 'logs/a.ndjson', count: 1 }]);
  });

  it('JWT: three segments, the first two JSON', () => {
    expect(redact(`id_token ${JWT} issued`)).toEqual({ out: `id_token ${R} issued`, rules: { JWT: 1 } });
    expect(redact('eyJust kidding.eyJ.x').rules).toEqual({});
  });

  it('password in URL: the user kept, the password hidden', () => {
    expect(redact('fetching https://deploy:hunter2hunter2@git.example.com/repo.git')).toEqual({
      out: `fetching https://deploy:${R}@git.example.com/repo.git`,
      rules: { 'password in URL': 1 },
    });
    expect(redact('proxy http://:p%40ss@proxy:3128 up').out).toBe(`proxy http://:${R}@proxy:3128 up`);
  });

  it('connection string: database URLs and ADO-style Password=', () => {
    const urls = [
      ['postgres://app:pgs3cret@db:5432/app', `postgres://app:${R}@db:5432/app`],
      ['postgresql://app:pg@s3cret@db/app', `postgresql://app:${R}@db/app`],
      ['mysql://root:my-pw-1@127.0.0.1:3306/shop', `mysql://root:${R}@127.0.0.1:3306/shop`],
      ['mongodb+srv://svc:m0ng0pw@cluster0.x.mongodb.net/db', `mongodb+srv://svc:${R}@cluster0.x.mongodb.net/db`],
      ['redis://:r3dispass@cache:6379/0', `redis://:${R}@cache:6379/0`],
      ['amqp://guest:rabbitpw@mq:5672/', `amqp://guest:${R}@mq:5672/`],
    ];
    for (const [line, out] of urls) expect(redact(`DATABASE_URL ${line}`), line).toEqual({ out: `DATABASE_URL ${out}`, rules: { 'connection string': 1 } });
    expect(redact('Server=db.internal;Database=shop;User Id=app;Password=Pa55w0rd!;Encrypt=true')).toEqual({
      out: `Server=db.internal;Database=shop;User Id=app;Password=${R};Encrypt=true`,
      rules: { 'connection string': 1 },
    });
  });

  it('secret pair: key=value in text, quoted or bare, and "key": "value" in JSON text', () => {
    expect(redact('login attempt user=bob password=hunter22 ok')).toEqual({ out: `login attempt user=bob password=${R} ok`, rules: { 'secret pair': 1 } });
    expect(redact('client_secret="a b c" passwd=\'x1y2\'').out).toBe(`client_secret="${R}" passwd='${R}'`);
    expect(redact('GET /cb?code=1&access_token=abc.def&state=2').out).toBe(`GET /cb?code=1&access_token=${R}&state=2`);
    expect(redact('DB_PASSWORD=s3cret SECRET_KEY=k3y TOKEN=t0k3n').rules).toEqual({ 'secret pair': 3 });
    expect(redact('body {"user":"bob","password":"hunter\\"22","apiKey":"k1"}')).toEqual({
      out: `body {"user":"bob","password":"${R}","apiKey":"${R}"}`,
      rules: { 'secret pair': 2 },
    });
    expect(redact('password=').out).toBe('password=');
  });

  it('does not count a value twice when a more specific rule got it first', () => {
    expect(redact(`token=${JWT}`)).toEqual({ out: `token=${R}`, rules: { JWT: 1 } });
    expect(redact('Authorization: Bearer abc123def456ghi').rules).toEqual({ 'Authorization header': 1 });
    // Re-redacting a redacted text changes and counts nothing.
    const once = redact('password=hunter22 Cookie: a=b').out;
    expect(redact(once)).toEqual({ out: once, rules: {} });
  });

  it('stays linear on long lines that hold a keyword: eight times the line, about eight times the time', () => {
    const redactor = new BundleRedactor({ secrets: [], rules: [] });
    // Runs that once made the pair and URL patterns try every start against the whole run.
    const line = (size: number) => `token http://x ${'a_b.c-d'.repeat(size / 7)} "${'k_'.repeat(size / 20)} password=x Bearer`;
    const time = (text: string) => {
      const start = process.hrtime.bigint();
      redactor.text('f', text);
      return Number(process.hrtime.bigint() - start);
    };
    // Both past the sizes where the CPU caches make shorter lines cheaper per character; timed
    // in turns, each one's best kept.
    const short = line(100_000);
    const long = line(800_000);
    time(short);
    time(long);
    let best = { short: Infinity, long: Infinity };
    for (let round = 0; round < 5; round++) best = { short: Math.min(best.short, time(short)), long: Math.min(best.long, time(long)) };
    // Quadratic would be 64× (the unbounded patterns took minutes); linear is 8×, with room for a
    // noisy machine.
    const ratio = best.long / best.short;
    expect(ratio).toBeLessThan(32);
    expect(redactor.text('f', short)).toContain(`password=${R}`);
  });
});
