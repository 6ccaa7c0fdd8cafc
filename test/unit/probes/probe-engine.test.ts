/**
 * node/probes/probe-engine.ts with small kinds written here and registered in the registry the
 * engine runs from (the real kinds have their own tests): secrets filled in and redacted from
 * everything a run produced, the timeout and an outer cancel on the fake clock, retries waiting
 * exactly their backoff, warn against fail, a kind that throws or is missing, and the caps.
 */
import { describe, expect, it } from 'vitest';
import { delay } from '../../../node/clock';
import type { ProbeKindRegistry } from '../../../node/probes/kinds';
import { kindModule, PROBE_KIND_MODULES } from '../../../node/probes/kinds';
import { CANCELLED_MESSAGE, runProbe, type EngineDeps, type EngineOutcome, type EngineProbe } from '../../../node/probes/probe-engine';
import type { KindOutcome, ProbeKindModule, ProbeRunContext } from '../../../node/probes/probe-kind';
import { REDACTED } from '../../../node/redact/redactor';
import { ApiError } from '../../../shared/errors';
import type { ProbeCondition, ProbeKind } from '../../../shared/model/probe';
import { FakeClock } from '../../support/fake-clock';

/** Has characters that URL-encoding and JSON-escaping change, so each form is exercised. */
const SECRET = 'sk-live/4f9+Qz"x=7Rk';
const TOKEN = 'ghp_tokenvalue123456';

type Run = (settings: Record<string, unknown>, ctx: ProbeRunContext) => Promise<KindOutcome> | KindOutcome;

function registry(run: Run, kind: ProbeKind = 'http'): ProbeKindRegistry {
  const module: ProbeKindModule<Record<string, unknown>> = { kind, run: (settings, ctx) => Promise.resolve(run(settings, ctx)) };
  return { [kind]: module };
}

function outcome(partial: Partial<KindOutcome> = {}): KindOutcome {
  return { values: {}, metadata: {}, artifacts: [], ...partial };
}

function probe(partial: Partial<EngineProbe> = {}): EngineProbe {
  return { kind: 'http', settings: {}, conditions: [], timeoutSeconds: 30, retries: 0, ...partial };
}

function deps(clock: FakeClock, kinds: ProbeKindRegistry, extra: Partial<EngineDeps> = {}): EngineDeps {
  const secrets: Record<string, string> = { API_KEY: SECRET, token: TOKEN };
  return {
    kinds,
    clock,
    capabilities: {
      secret: (slot) => {
        const value = secrets[slot];
        return value === undefined ? Promise.reject(new ApiError('not-found', `The secret ${slot} is not set.`)) : Promise.resolve(value);
      },
      docker: () => Promise.reject(new ApiError('invalid-request', 'No Docker here.')),
      sshExec: () => Promise.reject(new ApiError('invalid-request', 'No SSH here.')),
      opsContext: () => Promise.reject(new ApiError('invalid-request', 'No ops API here.')),
    },
    backoff: { initialMs: 1_000, maxMs: 30_000, random: () => 1 },
    ...extra,
  };
}

const cond = (expression: string, severity: ProbeCondition['severity'] = 'fail'): ProbeCondition => ({ expression, severity });

/** Everything an outcome carries, artifacts' bytes as text, to search for a leak in one place. */
function everything(result: EngineOutcome): string {
  return JSON.stringify({ ...result, artifacts: result.artifacts.map((a) => ({ ...a, data: a.data.toString('latin1') })) });
}

/** No form of `secret` and no 6-character piece of it anywhere in `text`. */
function expectNoLeak(text: string, secret: string) {
  for (const form of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) {
    for (let i = 0; i + 6 <= form.length; i++) expect(text).not.toContain(form.slice(i, i + 6));
  }
}

describe('runProbe: secrets', () => {
  it('fills {{secret.NAME}} into every string of the settings before the kind runs', async () => {
    const clock = new FakeClock();
    let seen: Record<string, unknown> = {};
    const kinds = registry((settings) => {
      seen = settings;
      return outcome({ values: { STATUS: 200 } });
    });
    const settings = {
      url: 'https://api.example.com/v1?key={{secret.API_KEY}}',
      headers: { authorization: 'Bearer {{ secret.API_KEY }}', 'x-other': 'plain' },
      body: '{"token":"{{secret.token}}"}',
      list: ['{{secret.token}}'],
      count: 3,
    };
    const result = await runProbe(probe({ settings, conditions: [cond('[STATUS] == 200')] }), deps(clock, kinds));
    expect(result.status).toBe('ok');
    expect(seen).toEqual({
      url: `https://api.example.com/v1?key=${SECRET}`,
      headers: { authorization: `Bearer ${SECRET}`, 'x-other': 'plain' },
      body: `{"token":"${TOKEN}"}`,
      list: [TOKEN],
      count: 3,
    });
    // The caller's settings keep their placeholders.
    expect(settings.url).toContain('{{secret.API_KEY}}');
  });

  it('redacts the secrets from the error, metadata, conditions, artifacts and values, in each form', async () => {
    const clock = new FakeClock();
    const kinds = registry(async (settings, ctx) => {
      // A kind that reads a slot itself (as github does) is redacted too.
      const token = await ctx.secret('token');
      const url = String(settings.url);
      const body = JSON.stringify({ echo: url, token, note: `key=${encodeURIComponent(SECRET)}` });
      return outcome({
        values: { STATUS: 401, BODY: body, HEADERS: { 'x-echo': SECRET }, TOKEN_SEEN: token },
        metadata: { url, [`header ${token}`]: 'key', nested: { t: token } as never },
        artifacts: [
          { name: 'body.json', contentType: 'application/json', data: Buffer.from(body), truncated: false },
          { name: 'log.txt', contentType: 'text/plain; charset=utf-8', data: Buffer.from(`GET ${url}\n`), truncated: false },
        ],
        error: `The server refused ${url} with token ${token}.`,
      });
    });
    const result = await runProbe(
      probe({
        settings: { url: 'https://api.example.com/?key={{secret.API_KEY}}' },
        conditions: [cond('[BODY].token == nope'), cond('[HEADERS].x-echo == nope'), cond('[TOKEN_SEEN] == nope')],
      }),
      deps(clock, kinds),
    );
    expect(result.status).toBe('fail');
    expect(result.error).toBe(`The server refused https://api.example.com/?key=${REDACTED} with token ${REDACTED}.`);
    expect(result.conditions.map((c) => c.passed)).toEqual([false, false, false]);
    expect(result.conditions[0]!.observed).toBe(`"${REDACTED}"`);
    expect(result.conditions[2]!.observed).toBe(`"${REDACTED}"`);
    expect(result.metadata).toEqual({ url: `https://api.example.com/?key=${REDACTED}`, [`header ${REDACTED}`]: 'key', nested: `{"t":"${REDACTED}"}` });
    expect(JSON.parse(result.artifacts[0]!.data.toString())).toEqual({
      echo: `https://api.example.com/?key=${REDACTED}`,
      token: REDACTED,
      note: `key=${REDACTED}`,
    });
    expect(result.values).toEqual({ STATUS: 401, HEADERS: { 'x-echo': REDACTED }, TOKEN_SEEN: REDACTED, RESPONSE_TIME: 0 });
    expectNoLeak(everything(result), SECRET);
    expectNoLeak(everything(result), TOKEN);
  });

  it('redacts a secret in a thrown error', async () => {
    const clock = new FakeClock();
    const kinds = registry((settings) => {
      throw new Error(`connect ECONNREFUSED for ${String(settings.url)}`);
    });
    const result = await runProbe(probe({ settings: { url: 'http://127.0.0.1:1/{{secret.API_KEY}}' } }), deps(clock, kinds));
    expect(result).toMatchObject({ status: 'fail', attempts: 1, error: `The http check failed: connect ECONNREFUSED for http://127.0.0.1:1/${REDACTED}.` });
    expectNoLeak(everything(result), SECRET);
  });

  it('keeps an image without the secret byte for byte and replaces the secret in one that has it', async () => {
    const clock = new FakeClock();
    const clean = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00, 0xfe, 0x10]);
    const dirty = Buffer.concat([clean, Buffer.from(SECRET), clean]);
    const kinds = registry(async (_settings, ctx) => {
      await ctx.secret('API_KEY');
      return outcome({
        artifacts: [
          { name: 'clean.png', contentType: 'image/png', data: clean, truncated: false },
          { name: 'dirty.png', contentType: 'image/png', data: dirty, truncated: false },
          // Text that is not UTF-8 is treated byte for byte too, not decoded and mangled.
          { name: 'latin1.txt', contentType: 'text/plain', data: Buffer.concat([Buffer.from([0xe9]), Buffer.from(SECRET)]), truncated: false },
        ],
      });
    });
    const result = await runProbe(probe(), deps(clock, kinds));
    expect(result.artifacts[0]!.data.equals(clean)).toBe(true);
    expect(result.artifacts[1]!.data.equals(Buffer.concat([clean, Buffer.from(REDACTED), clean]))).toBe(true);
    expect(result.artifacts[2]!.data.equals(Buffer.concat([Buffer.from([0xe9]), Buffer.from(REDACTED)]))).toBe(true);
  });

  it('leaves no start of a secret where the kind or the conditions cut a text short', async () => {
    for (let offset = 150; offset < 230; offset++) {
      const clock = new FakeClock();
      const body = `${'.'.repeat(offset)}${SECRET}${'.'.repeat(300)}`;
      // The kind cut the artifact in the middle of the secret, as a body cap does.
      const cut = Buffer.from(body).subarray(0, offset + 9);
      const kinds = registry(async (_settings, ctx) => {
        await ctx.secret('API_KEY');
        return outcome({ values: { BODY: body }, artifacts: [{ name: 'body', contentType: 'text/plain', data: cut, truncated: true }] });
      });
      const result = await runProbe(probe({ conditions: [cond('[BODY] == ok')] }), deps(clock, kinds));
      expect(result.artifacts[0]!.data.toString()).toBe('.'.repeat(offset));
      expect(result.artifacts[0]!.truncated).toBe(true);
      expect(result.conditions[0]!.passed).toBe(false);
      expectNoLeak(everything(result), SECRET);
    }
  });

  it('fails at once, without retrying, when a secret cannot be read', async () => {
    const clock = new FakeClock();
    let ran = 0;
    const kinds = registry(() => {
      ran++;
      return outcome();
    });
    const result = await runProbe(probe({ settings: { url: 'https://x/{{secret.MISSING}}' }, retries: 3 }), deps(clock, kinds));
    expect(result).toMatchObject({ status: 'fail', attempts: 1, error: 'The secret MISSING is not set.', cancelled: false });
    expect(ran).toBe(0);
  });
});

describe('runProbe: timeout and cancel', () => {
  it('ends a kind that hangs and ignores its signal when the timeout passes, and says so', async () => {
    const clock = new FakeClock();
    let signal: AbortSignal | undefined;
    const kinds = registry((_settings, ctx) => {
      signal = ctx.signal;
      return new Promise<KindOutcome>(() => undefined);
    });
    const start = clock.now();
    const running = runProbe(probe({ timeoutSeconds: 30, conditions: [cond('[STATUS] == 200')] }), deps(clock, kinds));
    expect(await clock.nextTimer()).toBe(30_000);
    await clock.advanceAsync(29_999);
    let settled = false;
    void running.then(() => (settled = true));
    await clock.advanceAsync(0);
    expect(settled).toBe(false);
    await clock.advanceAsync(1);
    const result = await running;
    expect(signal?.aborted).toBe(true);
    expect(result).toMatchObject({ status: 'fail', error: 'No answer within 30 s.', attempts: 1, cancelled: false, durationMs: 30_000 });
    expect(result.finishedAtMs - start).toBe(30_000);
    expect(result.values.RESPONSE_TIME).toBe(30_000);
    expect(result.conditions[0]).toMatchObject({ passed: false, observed: null });
    expect(clock.pending).toBe(0);
  });

  it('gives each attempt its own timeout', async () => {
    const clock = new FakeClock();
    const starts: number[] = [];
    const kinds = registry((_settings, ctx) => {
      starts.push(clock.now());
      // This kind honours its signal, as kinds should.
      return delay(ctx.clock, 60_000, ctx.signal).then(() => outcome());
    });
    const running = runProbe(probe({ timeoutSeconds: 5, retries: 1 }), deps(clock, kinds));
    await clock.advanceAsync(5_000 + 1_000 + 5_000);
    const result = await running;
    expect(starts.map((t) => t - starts[0]!)).toEqual([0, 6_000]);
    expect(result).toMatchObject({ status: 'fail', attempts: 2, error: 'No answer within 5 s.' });
  });

  it('ends at once when the outer signal aborts, as cancelled, with no timer left', async () => {
    const clock = new FakeClock();
    const outer = new AbortController();
    const kinds = registry(() => new Promise<KindOutcome>(() => undefined));
    const running = runProbe(probe({ retries: 3 }), deps(clock, kinds, { signal: outer.signal }));
    await clock.nextTimer();
    outer.abort();
    const result = await running;
    expect(result).toMatchObject({ status: 'fail', cancelled: true, error: CANCELLED_MESSAGE, attempts: 1 });
    expect(clock.pending).toBe(0);
  });

  it('stops waiting between attempts when cancelled', async () => {
    const clock = new FakeClock();
    const outer = new AbortController();
    const kinds = registry(() => outcome({ error: 'Refused.' }));
    const running = runProbe(probe({ retries: 3 }), deps(clock, kinds, { signal: outer.signal }));
    expect(await clock.nextTimer((ms) => ms !== 30_000)).toBe(1_000);
    outer.abort();
    const result = await running;
    expect(result).toMatchObject({ cancelled: true, attempts: 1, error: CANCELLED_MESSAGE });
    expect(clock.pending).toBe(0);
  });
});

describe('runProbe: retries', () => {
  it('retries a failure after exactly the backoff, and records the attempts', async () => {
    const clock = new FakeClock();
    const starts: number[] = [];
    const kinds = registry(() => {
      starts.push(clock.now());
      return starts.length < 3 ? outcome({ error: 'Connection refused.' }) : outcome({ values: { STATUS: 200 } });
    });
    const running = runProbe(probe({ retries: 3, conditions: [cond('[STATUS] == 200')] }), deps(clock, kinds));
    // The pending timers are the wait between attempts; each attempt's timeout is cleared on its answer.
    expect(await clock.nextTimer((ms) => ms !== 30_000)).toBe(1_000);
    expect(clock.pendingDelays).toEqual([1_000]);
    await clock.advanceAsync(1_000);
    expect(await clock.nextTimer((ms) => ms !== 30_000)).toBe(2_000);
    await clock.advanceAsync(2_000);
    const result = await running;
    expect(starts.map((t) => t - starts[0]!)).toEqual([0, 1_000, 3_000]);
    expect(result).toMatchObject({ status: 'ok', attempts: 3, error: null });
    expect(result.finishedAtMs - result.startedAtMs).toBe(3_000);
    expect(clock.pending).toBe(0);
  });

  it('says before each wait that a retry follows, and how long it waits', async () => {
    const clock = new FakeClock();
    const retries: [number, number][] = [];
    const kinds = registry(() => outcome({ error: 'Refused.' }));
    const running = runProbe(
      probe({ retries: 2 }),
      deps(clock, kinds, {
        onRetry: (failed, waitMs) => {
          retries.push([failed, waitMs]);
          throw new Error('a listener that throws does not stop the retries');
        },
      }),
    );
    await clock.advanceAsync(1_000 + 2_000);
    const result = await running;
    expect(retries).toEqual([
      [1, 1_000],
      [2, 2_000],
    ]);
    expect(result).toMatchObject({ status: 'fail', attempts: 3, error: 'Refused.' });
  });

  it('retries a failed condition, and gives up after the retries with the last failure', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const kinds = registry(() => {
      calls++;
      return outcome({ values: { STATUS: 503 } });
    });
    const running = runProbe(probe({ retries: 2, conditions: [cond('[STATUS] == 200')] }), deps(clock, kinds));
    await clock.advanceAsync(1_000 + 2_000);
    const result = await running;
    expect(calls).toBe(3);
    expect(result).toMatchObject({ status: 'fail', attempts: 3, error: '[STATUS] == 200 failed (503).' });
    expect(result.conditions).toEqual([{ expression: '[STATUS] == 200', severity: 'fail', passed: false, observed: '503', reason: null }]);
  });

  it('does not retry a warning', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const kinds = registry(() => {
      calls++;
      return outcome({ values: { STATUS: 200, RESPONSE_TIME: 900 } });
    });
    const result = await runProbe(
      probe({ retries: 3, conditions: [cond('[STATUS] == 200'), cond('[RESPONSE_TIME] < 500', 'warn')] }),
      deps(clock, kinds),
    );
    expect(calls).toBe(1);
    expect(result).toMatchObject({ status: 'warn', attempts: 1, error: '[RESPONSE_TIME] < 500 failed (900ms).' });
  });
});

describe('runProbe: severity, errors and values', () => {
  it('is fail when a fail condition fails, whatever the warn ones say, and names that condition', async () => {
    const clock = new FakeClock();
    const kinds = registry(() => outcome({ values: { STATUS: 500, RESPONSE_TIME: 900 } }));
    const result = await runProbe(probe({ conditions: [cond('[RESPONSE_TIME] < 500', 'warn'), cond('[STATUS] == 200')] }), deps(clock, kinds));
    expect(result.status).toBe('fail');
    expect(result.error).toBe('[STATUS] == 200 failed (500).');
  });

  it('is fail with the kind\'s own error even when every condition passes', async () => {
    const clock = new FakeClock();
    const kinds = registry(() => outcome({ values: { STATUS: 200 }, error: 'The certificate is not trusted.' }));
    const result = await runProbe(probe({ conditions: [cond('[STATUS] == 200')] }), deps(clock, kinds));
    expect(result).toMatchObject({ status: 'fail', error: 'The certificate is not trusted.' });
    expect(result.conditions[0]!.passed).toBe(true);
  });

  it('turns a kind that throws anything, or answers nothing, into a clear failure', async () => {
    const clock = new FakeClock();
    const thrown = await runProbe(probe({ kind: 'tcp' }), deps(clock, registry(() => Promise.reject('socket gone') as never, 'tcp')));
    expect(thrown).toMatchObject({ status: 'fail', error: 'The tcp check failed: socket gone.' });
    const apiError = await runProbe(probe({ kind: 'docker' }), deps(clock, registry((_s, ctx) => ctx.docker('t1').then(() => outcome()), 'docker')));
    expect(apiError).toMatchObject({ status: 'fail', error: 'No Docker here.' });
    const nothing = await runProbe(probe({ conditions: [cond('[STATUS] == 200')] }), deps(clock, registry(() => undefined as never)));
    expect(nothing.status).toBe('fail');
    expect(nothing.error).toMatch(/^\[STATUS\] == 200 failed \(.+\)\.$/);
  });

  it('fails a kind this build does not have with a sentence saying so', async () => {
    const clock = new FakeClock();
    const result = await runProbe(probe({ kind: 's3', retries: 2 }), deps(clock, {}));
    expect(result).toMatchObject({ status: 'fail', attempts: 1, error: 'The s3 check is not available in this build.' });
    expect(() => kindModule({}, 'github')).toThrow('The github check is not available in this build.');
    for (const [kind, module] of Object.entries(PROBE_KIND_MODULES)) expect(module.kind).toBe(kind);
  });

  it('defaults RESPONSE_TIME to the measured duration and keeps one the kind measured', async () => {
    const clock = new FakeClock();
    const slow = registry(async (_settings, ctx) => {
      await delay(ctx.clock, 250, ctx.signal);
      return outcome({ values: { CONNECTED: true } });
    });
    const running = runProbe(probe({ conditions: [cond('[RESPONSE_TIME] < 300')] }), deps(clock, slow));
    await clock.advanceAsync(250);
    const result = await running;
    expect(result).toMatchObject({ status: 'ok', durationMs: 250, values: { CONNECTED: true, RESPONSE_TIME: 250 } });
    expect(result.conditions[0]!.observed).toBe('250ms');
    const own = await runProbe(probe(), deps(clock, registry(() => outcome({ values: { RESPONSE_TIME: 42 } }))));
    expect(own.values.RESPONSE_TIME).toBe(42);
  });

  it('hands the previous values to the kind and keeps small values for the next run, not the body', async () => {
    const clock = new FakeClock();
    let previous: unknown;
    const kinds = registry((_settings, ctx) => {
      previous = ctx.previousValues;
      return outcome({ values: { RESTARTS: 4, BODY: '{"a":1}', BIG: 'x'.repeat(10_000), HEALTH: 'healthy', NOTHING: undefined } });
    });
    const result = await runProbe(probe({ kind: 'http' }), deps(clock, kinds, { previousValues: { RESTARTS: 3 } }));
    expect(previous).toEqual({ RESTARTS: 3 });
    expect(result.values).toEqual({ RESTARTS: 4, HEALTH: 'healthy', RESPONSE_TIME: 0 });
  });
});

describe('runProbe: caps', () => {
  it('cuts an artifact at the cap, marks it truncated, after redacting, never inside a character', async () => {
    const clock = new FakeClock();
    const big = `${'é'.repeat(600)}${SECRET}${'z'.repeat(10 * 1024 * 1024)}`;
    const kinds = registry(async (_settings, ctx) => {
      await ctx.secret('API_KEY');
      return outcome({
        artifacts: [
          { name: 'body.txt', contentType: 'text/plain', data: Buffer.from(big), truncated: false },
          { name: 'small.txt', contentType: 'text/plain', data: Buffer.from('fine'), truncated: false },
          { name: 'blob.bin', contentType: 'application/octet-stream', data: Buffer.alloc(5_000, 7), truncated: false },
        ],
      });
    });
    // 600 two-byte characters, then the marker from byte 1200 to 1210: a cap of 1205 would split it.
    const result = await runProbe(probe(), deps(clock, kinds, { artifactCap: 1_205 }));
    const [body, small, blob] = result.artifacts;
    expect(body!.data.toString()).toBe('é'.repeat(600));
    expect(body!.truncated).toBe(true);
    expect(small).toMatchObject({ truncated: false });
    expect(small!.data.toString()).toBe('fine');
    expect(blob!.data.length).toBe(1_205);
    expect(blob!.truncated).toBe(true);

    const odd = await runProbe(probe(), deps(clock, kinds, { artifactCap: 1_201 }));
    // Byte 1201 is the middle of no character, but 1199 is: the cut moves back to a whole one.
    expect(odd.artifacts[0]!.data.length).toBe(1_200);
    const half = await runProbe(probe(), deps(clock, kinds, { artifactCap: 1_199 }));
    expect(half.artifacts[0]!.data.toString()).toBe('é'.repeat(599));
  });

  it('keeps long metadata and errors to their length, redacted before the cut', async () => {
    const clock = new FakeClock();
    const kinds = registry(async (_settings, ctx) => {
      await ctx.secret('API_KEY');
      const long = `${'m'.repeat(1_995)}${SECRET}`;
      return outcome({ metadata: { long }, error: `${'e'.repeat(995)}${SECRET}` });
    });
    const result = await runProbe(probe(), deps(clock, kinds));
    expect(result.metadata.long).toBe(`${'m'.repeat(1_995)}…`);
    expect(result.error).toBe(`${'e'.repeat(995)}…`);
    expectNoLeak(everything(result), SECRET);
  });
});
