/**
 * Probe conditions: every placeholder, operator and function of the Gatus syntax, judged against
 * what a check reports; malformed expressions refused with the position of the mistake, in the
 * parser and in the saved-probe contract.
 */
import { describe, expect, it } from 'vitest';
import { fieldErrorsOf } from '../../../shared/errors';
import { ProbeDraft, type ConditionOutcome, type ConditionSeverity } from '../../../shared/model/probe';
import {
  conditionErrors,
  evaluateConditions,
  formatDuration,
  parseCondition,
  parseDuration,
  resultStatus,
  type PlaceholderValues,
} from '../../../shared/probe-conditions';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** What an http check of a JSON health endpoint might report. */
const http: PlaceholderValues = {
  STATUS: 200,
  RESPONSE_TIME: 412,
  BODY: JSON.stringify({
    status: 'UP',
    count: 3,
    ratio: 0.5,
    version: '2.10.1',
    ok: true,
    nothing: null,
    text: 'hello',
    data: [{ id: 7, state: 'UP' }, { id: 8, state: 'UP' }],
    items: [1, 2, 3],
    empty: [],
    nested: { deep: { value: 'x' } },
    matrix: [[1, 2], [3, 4]],
    mixed: [{ state: 'UP' }, { state: 'DOWN' }],
    numeric: '42',
  }),
  HEADERS: { 'content-type': 'application/json; charset=utf-8', 'X-Request-Id': 'abc-123' },
  CONNECTED: true,
  IP: '127.0.0.1',
  CERTIFICATE_EXPIRATION: 10 * DAY + 5 * HOUR,
  DOMAIN_EXPIRATION: 400 * DAY,
};

function judge(expression: string, values: PlaceholderValues = http, severity: ConditionSeverity = 'fail'): ConditionOutcome {
  const [outcome] = evaluateConditions([{ expression, severity }], values);
  return outcome!;
}

describe('parseDuration and formatDuration', () => {
  it.each([
    ['72h', 72 * HOUR],
    ['30d', 30 * DAY],
    ['15m', 15 * 60_000],
    ['1h30m', 90 * 60_000],
    ['500ms', 500],
    ['10s', 10_000],
    ['1.5h', 1.5 * HOUR],
    ['-2h', -2 * HOUR],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '72', 'h', '3x', '1h 30m', 'abc'])('does not read %j as a duration', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it.each([
    [10 * DAY + 5 * HOUR, '10d5h'],
    [90 * 60_000, '1h30m'],
    [45_000, '45s'],
    [250, '250ms'],
    [-2 * DAY, '-2d'],
  ])('shows %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('evaluateConditions: placeholders, operators and functions', () => {
  it.each([
    // [STATUS] with every operator, numbers compared as numbers
    ['[STATUS] == 200', true, '200'],
    ['[STATUS] != 200', false, '200'],
    ['[STATUS] == 200.0', true, '200'],
    ['[STATUS] < 300', true, '200'],
    ['[STATUS] <= 200', true, '200'],
    ['[STATUS] > 200', false, '200'],
    ['[STATUS] >= 200', true, '200'],
    ['[STATUS]==200', true, '200'],
    ['  [STATUS]   ==   200  ', true, '200'],
    ['[STATUS] == "200"', true, '200'],
    // [RESPONSE_TIME] in ms
    ['[RESPONSE_TIME] < 500', true, '412ms'],
    ['[RESPONSE_TIME] > 5000', false, '412ms'],
    ['[RESPONSE_TIME] < 1s', true, '412ms'],
    ['[RESPONSE_TIME] < 400ms', false, '412ms'],
    // [BODY] paths
    ['[BODY].status == UP', true, '"UP"'],
    ['[BODY].status == "UP"', true, '"UP"'],
    ['[BODY].status != DOWN', true, '"UP"'],
    ['[BODY].status == up', false, '"UP"'],
    ['[BODY].count == 3', true, '3'],
    ['[BODY].count > 2', true, '3'],
    ['[BODY].ratio < 1', true, '0.5'],
    ['[BODY].numeric > 41', true, '"42"'],
    ['[BODY].numeric == 42', true, '"42"'],
    ['[BODY].ok == true', true, 'true'],
    ['[BODY].ok != false', true, 'true'],
    ['[BODY].nothing == null', true, 'null'],
    ['[BODY].data[0].id == 7', true, '7'],
    ['[BODY].data[1].id == 8', true, '8'],
    ['[BODY].data[1].state == UP', true, '"UP"'],
    ['[BODY].matrix[1][0] == 3', true, '3'],
    ['[BODY].nested.deep.value == x', true, '"x"'],
    ['[BODY].items == [1,2,3]', true, '[1,2,3]'],
    ['[BODY].version == 2.10.1', true, '"2.10.1"'],
    // the whole body, with patterns
    ['[BODY] == pat(*"status":"UP"*)', true, null],
    ['[BODY] == pat(*FAILED*)', false, null],
    ['[BODY] != pat(*FAILED*)', true, null],
    ['[BODY].text == pat(h?llo)', true, '"hello"'],
    ['[BODY].text == pat(hel*)', true, '"hello"'],
    ['[BODY].text == pat(*ELL*)', false, '"hello"'],
    ['[BODY].text == pat(he.lo)', false, '"hello"'],
    // any()
    ['[STATUS] == any(200, 204)', true, '200'],
    ['[STATUS] == any(201,204)', false, '200'],
    ['[STATUS] != any(500, 502, 503)', true, '200'],
    ['[BODY].status == any(UP, DEGRADED)', true, '"UP"'],
    ['[BODY].status == any("DOWN", "UP")', true, '"UP"'],
    // len() and has()
    ['len([BODY].items) == 3', true, '3'],
    ['len([BODY].items) > 0', true, '3'],
    ['len([BODY].empty) > 0', false, '0'],
    ['len([BODY].text) == 5', true, '5'],
    ['len([BODY].nested) == 1', true, '1'],
    ['len([BODY]) > 10', true, String((http.BODY as string).length)],
    ['has([BODY].status) == true', true, 'true'],
    ['has([BODY].errors) == false', true, 'false'],
    ['has([BODY].errors) == true', false, 'false'],
    ['has([BODY].data[5]) == false', true, 'false'],
    // [HEADERS], names lower-case, found whatever case the server used
    ['[HEADERS].content-type == pat(application/json*)', true, '"application/json; charset=utf-8"'],
    ['[HEADERS].Content-Type == pat(*json*)', true, '"application/json; charset=utf-8"'],
    ['[HEADERS].x-request-id == abc-123', true, '"abc-123"'],
    // [CONNECTED], [IP]
    ['[CONNECTED] == true', true, 'true'],
    ['[CONNECTED] == false', false, 'true'],
    ['[IP] == 127.0.0.1', true, '"127.0.0.1"'],
    ['[IP] == pat(127.*)', true, '"127.0.0.1"'],
    // expirations: ms left against durations
    ['[CERTIFICATE_EXPIRATION] > 72h', true, '10d5h'],
    ['[CERTIFICATE_EXPIRATION] > 168h', true, '10d5h'],
    ['[CERTIFICATE_EXPIRATION] > 30d', false, '10d5h'],
    ['[CERTIFICATE_EXPIRATION] > 10d4h59m', true, '10d5h'],
    ['[CERTIFICATE_EXPIRATION] >= 10d5h', true, '10d5h'],
    ['[CERTIFICATE_EXPIRATION] > 0', true, '10d5h'],
    ['[DOMAIN_EXPIRATION] > 720h', true, '400d'],
    // as in Gatus: names in any case, [HEADER] for [HEADERS]
    ['[status] == 200', true, '200'],
    ['[Body].status == UP', true, '"UP"'],
    ['[HEADER].Content-Type == pat(*json*)', true, '"application/json; charset=utf-8"'],
    ['has([HEADER].x-request-id) == true', true, 'true'],
    ['has([BODY].nothing) == false', true, 'false'],
    ['has([BODY]) == true', true, 'true'],
    // a placeholder on the right
    ['[BODY].count < [STATUS]', true, '3'],
    ['[STATUS] == [BODY].count', false, '200'],
    ['[BODY].data[0].id == [BODY].data[1].id', false, '7'],
    ['[BODY].status == [BODY].data[0].state', true, '"UP"'],
  ])('%s → passed %s, saw %s', (expression, passed, observed) => {
    const outcome = judge(expression);
    expect(outcome.passed).toBe(passed);
    expect(outcome.reason).toBeNull();
    // null: the whole body, shown as it came
    if (observed !== null) expect(outcome.observed).toBe(observed);
    else expect(outcome.observed).toMatch(/^\{"status":"UP"/);
  });

  it.each([
    [{ DNS_RCODE: 'NOERROR' }, '[DNS_RCODE] == NOERROR', true],
    [{ DNS_RCODE: 'NXDOMAIN' }, '[DNS_RCODE] == NOERROR', false],
    [{ DNS_RCODE: 'NXDOMAIN' }, '[DNS_RCODE] == any(NOERROR, NXDOMAIN)', true],
    [{ HEALTH: 'healthy' }, '[HEALTH] == healthy', true],
    [{ HEALTH: 'unhealthy' }, '[HEALTH] != unhealthy', false],
    [{ RESTARTS: 0 }, '[RESTARTS] == 0', true],
    [{ RESTARTS: 2 }, '[RESTARTS] < 1', false],
    [{ RATE_LIMIT_REMAINING: 4500 }, '[RATE_LIMIT_REMAINING] > 100', true],
    [{ SCOPES: ['repo', 'workflow'] }, '[SCOPES] == pat(*workflow*)', true],
    [{ SCOPES: ['repo', 'workflow'] }, 'len([SCOPES]) >= 2', true],
    [{ SCOPES: 'repo, read:org' }, '[SCOPES] == pat(*read:org*)', true],
    [{ CONCLUSION: 'success' }, '[CONCLUSION] == success', true],
    [{ CONCLUSION: 'failure' }, '[CONCLUSION] == success', false],
    [{ STATE: 'running' }, '[STATE] == any(running, restarting)', true],
    [{ EXIT_CODE: 0, OUTPUT: 'all good\n' }, '[OUTPUT] == pat(*good*)', true],
  ])('kind-specific values %j: %s → %s', (values, expression, passed) => {
    expect(judge(expression, values).passed).toBe(passed);
  });

  it.each([
    [{ BODY: '[1, 2, 3, 4]' }, 'len([BODY]) == 4', true],
    [{ BODY: '  plain text \n' }, 'len([BODY]) == 10', true],
    [{ BODY: '' }, 'has([BODY]) == false', true],
    [{ BODY: '   ' }, 'has([BODY]) == true', false],
    [{ HEADERS: { 'x-empty': '' } }, 'has([HEADERS].x-empty) == false', true],
    [{ STATUS: null }, 'has([STATUS]) == false', true],
    [{ STATUS: 204 }, 'has([STATUS]) == true', true],
  ])('whole bodies and presence %j: %s → %s', (values, expression, passed) => {
    expect(judge(expression, values).passed).toBe(passed);
  });

  describe('age(): time since a timestamp, measured from the run’s clock', () => {
    const now = Date.parse('2025-06-01T12:00:00Z');
    const values = {
      BODY: JSON.stringify({ updated: '2025-06-01T11:30:00Z', epoch: now / 1000 - 7200, epochMs: now - 90_000, never: 'soon', nothing: null }),
      HEADERS: { 'last-modified': 'Sun, 01 Jun 2025 09:00:00 GMT' },
    };
    const age = (expression: string) => evaluateConditions([{ expression, severity: 'fail' }], values, { now })[0]!;
    it.each([
      ['age([BODY].updated) < 1h', true, '30m'],
      ['age([BODY].updated) > 29m', true, '30m'],
      ['age([BODY].epoch) >= 2h', true, '2h'],
      ['age([BODY].epochMs) < 2m', true, '1m30s'],
      ['age([HEADERS].last-modified) < 1h', false, '3h'],
      ['age([HEADER].Last-Modified) <= 3h', true, '3h'],
    ])('%s → %s, saw %s', (expression, passed, observed) => {
      expect(age(expression)).toMatchObject({ passed, observed, reason: null });
    });
    it.each([
      ['age([BODY].never) < 1h', '[BODY].never is "soon", which is not a time age() can read.'],
      ['age([BODY].nothing) < 1h', '[BODY].nothing is null, which is not a time age() can read.'],
      ['age([BODY].gone) < 1h', '[BODY] has no field gone, so [BODY].gone has no value.'],
    ])('%s fails: %s', (expression, reason) => {
      expect(age(expression)).toMatchObject({ passed: false, observed: null, reason });
    });
  });

  it('judges every element of a [*] path, and fails on the first that does not match', () => {
    expect(judge('[BODY].data[*].state == UP')).toMatchObject({ passed: true, observed: '2 elements, the first "UP"' });
    expect(judge('[BODY].data[*].id > 6').passed).toBe(true);
    const mixed = judge('[BODY].mixed[*].state == UP');
    expect(mixed).toMatchObject({ passed: false, observed: '"DOWN"' });
    expect(mixed.reason).toBe('[BODY].mixed[1].state is "DOWN".');
    const empty = judge('[BODY].empty[*] == 1');
    expect(empty).toMatchObject({ passed: false, observed: null });
    expect(empty.reason).toBe('[BODY].empty[*] matched no elements: the array is empty.');
  });
});

describe('evaluateConditions: values that are not there fail with a reason, never throw', () => {
  it.each([
    ['[BODY].status == UP', { BODY: '<html>oops</html>' }, 'The body is not JSON, so [BODY].status has no value.'],
    ['len([BODY].items) > 0', { BODY: '' }, 'The body is empty, so [BODY].items has no value.'],
    ['[BODY].missing == 1', http, '[BODY] has no field missing, so [BODY].missing has no value.'],
    ['[BODY].nested.deep.other == 1', http, '[BODY].nested.deep has no field other, so [BODY].nested.deep.other has no value.'],
    ['[BODY].data[5].id == 1', http, '[BODY].data has 2 items, so [BODY].data[5] has no value.'],
    ['[BODY].status.code == 1', http, '[BODY].status is text, not an object, so [BODY].status.code has no value.'],
    ['[BODY].status[0] == U', http, '[BODY].status is text, not an array, so [BODY].status[0] has no value.'],
    ['[BODY].data.id == 7', http, '[BODY].data is an array, not an object, so [BODY].data.id has no value.'],
    ['[HEADERS].x-missing == 1', http, 'The response has no x-missing header.'],
    ['[CERTIFICATE_EXPIRATION] > 72h', { STATUS: 200 }, 'This check does not report [CERTIFICATE_EXPIRATION].'],
    ['[STATUS] == 200', {}, 'This check does not report [STATUS].'],
    ['len([BODY].nothing) > 0', http, '[BODY].nothing is null, which has no length.'],
    ['[BODY].status > 3', http, '[BODY].status is text, not a number, so > cannot compare it.'],
    ['[BODY].ok > 0', http, '[BODY].ok is a boolean, not a number, so > cannot compare it.'],
    ['[RESPONSE_TIME] < 5000', { RESPONSE_TIME: null }, '[RESPONSE_TIME] is null, not a number, so < cannot compare it.'],
    ['[BODY].mixed[*].state > 1', http, '[BODY].mixed[0].state is text, not a number, so > cannot compare it.'],
    ['[STATUS] > [BODY].status', http, '[BODY].status is text, not a number, so > cannot compare it.'],
    ['[STATUS] == [BODY].gone', http, '[BODY] has no field gone, so [BODY].gone has no value.'],
  ])('%s', (expression, values, reason) => {
    const outcome = judge(expression, values);
    expect(outcome.passed).toBe(false);
    expect(outcome.reason).toBe(reason);
  });

  it('fails an expression it cannot read instead of throwing (a probe saved before a rule changed)', () => {
    const outcome = judge('[STATUS] 200', http);
    expect(outcome).toMatchObject({ passed: false, observed: null });
    expect(outcome.reason).toBe('The condition cannot be read: Column 10: expected an operator (== != < <= > >=).');
  });

  it('keeps the observed value short', () => {
    const outcome = judge('[BODY] == pat(*nope*)', { BODY: 'x'.repeat(5000) });
    expect(outcome.passed).toBe(false);
    expect(outcome.observed!.length).toBeLessThanOrEqual(200);
    expect(outcome.observed!.endsWith('…')).toBe(true);
  });

  it('keeps each condition’s expression and severity, and judges them all in order', () => {
    const outcomes = evaluateConditions(
      [
        { expression: '[STATUS] == 200', severity: 'fail' },
        { expression: '[RESPONSE_TIME] < 100', severity: 'warn' },
      ],
      http,
    );
    expect(outcomes).toEqual([
      { expression: '[STATUS] == 200', severity: 'fail', passed: true, observed: '200', reason: null },
      { expression: '[RESPONSE_TIME] < 100', severity: 'warn', passed: false, observed: '412ms', reason: null },
    ]);
  });
});

describe('resultStatus', () => {
  const outcome = (passed: boolean, severity: ConditionSeverity): ConditionOutcome => ({
    expression: '[STATUS] == 200',
    severity,
    passed,
    observed: '200',
    reason: null,
  });
  it.each([
    [[], undefined, 'ok'],
    [[outcome(true, 'fail'), outcome(true, 'warn')], null, 'ok'],
    [[outcome(true, 'fail'), outcome(false, 'warn')], null, 'warn'],
    [[outcome(false, 'warn'), outcome(false, 'fail')], null, 'fail'],
    [[outcome(false, 'fail')], undefined, 'fail'],
    [[outcome(true, 'fail')], 'The server refused the connection.', 'fail'],
    [[], 'Timed out after 30 s.', 'fail'],
  ] as const)('%#: %j with error %j → %s', (outcomes, error, status) => {
    expect(resultStatus(outcomes, error)).toBe(status);
  });
});

describe('parseCondition: malformed expressions, with the position of the mistake', () => {
  it.each([
    ['', 0, 'Write a condition, like [STATUS] == 200.'],
    ['[STATUS] 200', 9, 'Expected an operator (== != < <= > >=).'],
    ['[STATUS]', 8, 'Expected an operator (== != < <= > >=).'],
    ['[STATUS] = 200', 9, 'Use == to compare, not =.'],
    ['[STATUS] === 200', 11, 'Expected a value after ==, not another operator.'],
    ['[STATUS] == ', 12, 'Expected a value after ==, like 200.'],
    ['age([BODY].at, 2006-01-02) < 1h', 13, 'age() takes only a placeholder: it reads RFC 3339 and HTTP dates and Unix times, not custom layouts.'],
    ['age([BODY].at) < soon', 17, 'Expected a number or a duration (like 72h) after <.'],
    ['[] == 200', 1, 'Name the placeholder, like [STATUS].'],
    ['[2XX] == 200', 1, 'Placeholder names start with a letter, like [STATUS].'],
    ['[STATUS == 200', 0, 'The placeholder opened here is missing its closing ].'],
    ['[BODY-X] == 1', 1, 'Placeholder names use letters, digits and underscores, like [STATUS].'],
    ['STATUS == 200', 0, 'Start with a placeholder like [STATUS] or a function like len([BODY]).'],
    ['200 == [STATUS]', 0, 'Start with a placeholder like [STATUS] or a function like len([BODY]).'],
    ['pat(*ok*) == [BODY]', 0, 'Put pat(…) on the right of == or !=, like [BODY] == pat(*ok*).'],
    ['[BODY]. == 1', 7, 'Expected a field name after the dot.'],
    ['[BODY].data[x] == 1', 12, 'Expected an array index like [0] or [*].'],
    ['[BODY].data[-1] == 1', 12, 'Expected an array index like [0] or [*].'],
    ['[STATUS].code == 200', 8, '[STATUS] is a single value: only [BODY] and [HEADERS] take a path.'],
    ['[HEADERS] == x', 9, 'Name the header, like [HEADERS].content-type.'],
    ['[RESPONSE_TIME] < fast', 18, 'Expected a number or a duration (like 72h) after <.'],
    ['[CERTIFICATE_EXPIRATION] > 3 days', 27, 'Expected a number or a duration (like 72h) after >.'],
    ['[STATUS] > pat(2*)', 11, 'pat() works only with == or !=.'],
    ['[STATUS] <= any(200, 204)', 12, 'any() works only with == or !=.'],
    ['[BODY] == pat(*ok*', 18, 'Expected ) to close pat(.'],
    ['[BODY] == pat()', 14, 'Give pat() a pattern, like pat(*ok*).'],
    ['[STATUS] == any(200, , 204)', 21, 'An any() value is empty: list values separated by commas, like any(200, 204).'],
    ['len([BODY].items > 0', 17, 'Expected ) to close len(.'],
    ['len(200) > 0', 4, 'Expected a placeholder inside len(), like len([BODY].items).'],
    ['has([BODY].x) > 0', 14, 'has([BODY].x) is true or false: compare it with == or !=.'],
    ['[STATUS] == has([BODY].x) extra', 26, 'Unexpected text after the value: write one comparison per condition.'],
    ['[STATUS] > [BODY]', 11, '[BODY] is text: compare a field of it, like [BODY].count.'],
    ['[STATUS] == 200 && [RESPONSE_TIME] < 500', 16, 'Write one comparison per condition; add another condition for the next one.'],
    ['[STATUS] == 200 || [STATUS] == 204', 16, 'Write one comparison per condition; add another condition for the next one.'],
    ['[BODY].status == "UP', 20, 'The quoted value is missing its closing ".'],
  ])('%j → column %d: %s', (expression, position, message) => {
    expect(parseCondition(expression)).toEqual({ ok: false, message, position });
  });

  it('reads the parts of a well-formed condition', () => {
    const result = parseCondition('[BODY].data[0].id >= 72h');
    expect(result).toEqual({
      ok: true,
      condition: {
        left: { type: 'placeholder', name: 'BODY', path: [{ key: 'data' }, { index: 0 }, { key: 'id' }], text: '[BODY].data[0].id' },
        operator: '>=',
        right: { type: 'literal', value: '72h', number: 72 * HOUR, text: '72h' },
      },
    });
  });
});

describe('conditionErrors and the saved-probe contract', () => {
  it('keys each bad expression by its field, with its column', () => {
    expect(
      conditionErrors([{ expression: '[STATUS] == 200' }, { expression: '[RESPONSE_TIME] 500' }, { expression: '[BODY].status == UP' }]),
    ).toEqual({ 'conditions.1.expression': 'Column 17: expected an operator (== != < <= > >=).' });
    expect(conditionErrors([])).toEqual({});
  });

  const draft = (conditions: unknown[]) => ({
    name: 'Shop health',
    scope: 'shop',
    kind: 'http',
    settings: { url: 'https://shop.example.com/health' },
    conditions,
  });

  it('refuses a probe with a bad condition, naming the column in the field error', () => {
    const result = ProbeDraft.safeParse(draft([{ expression: '[STATUS] == 200' }, { expression: '[BODY].status = UP', severity: 'warn' }]));
    expect(result.success).toBe(false);
    expect(fieldErrorsOf(result.error!)).toEqual({ 'conditions.1.expression': 'Column 15: use == to compare, not =.' });
  });

  it('refuses bad conditions in every kind of probe', () => {
    const result = ProbeDraft.safeParse({ name: 'db', scope: 'db', kind: 'tcp', settings: { host: 'db.internal', port: 5432 }, conditions: [{ expression: 'CONNECTED == true' }] });
    expect(result.success).toBe(false);
    expect(fieldErrorsOf(result.error!)).toEqual({ 'conditions.0.expression': 'Column 1: start with a placeholder like [STATUS] or a function like len([BODY]).' });
  });

  it('accepts good conditions, trimmed, with the fail severity by default', () => {
    const result = ProbeDraft.parse(draft([{ expression: '  [STATUS] == 200 ' }, { expression: '[RESPONSE_TIME] < 5s', severity: 'warn' }]));
    expect(result.conditions).toEqual([
      { expression: '[STATUS] == 200', severity: 'fail' },
      { expression: '[RESPONSE_TIME] < 5s', severity: 'warn' },
    ]);
  });
});
