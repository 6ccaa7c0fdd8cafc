/**
 * The "Support bundle" buttons end to end: from the Overview, the Logs area (its header, and a
 * pane showing a range of cached lines), a failing probe's drill-down and a run's viewer, each
 * opens the new-bundle page with the target and the time window already in its fields.
 *
 * Real parts: the app in browser mode, real Chromium, a real keychain, a real sshd on loopback
 * in front of podman's Docker API with a compose-labelled container that logs, probes that
 * really fail (an HTTP probe against a loopback port nothing listens on, a Docker probe of a
 * container that does not exist) and a real healthcheck run of the built-in runbook.
 *
 * One app and one page for the file; the tests run in order on the same target.
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleWindow } from '../../shared/model/bundle';
import type { ProbeSummary } from '../../shared/model/probe';
import type { RunDetail } from '../../shared/model/runbook';
import { aroundRange } from '../../renderer/src/areas/bundles/bundle-link';
import { toLocalInput } from '../../renderer/src/areas/logs/download';
import { animationsSettled, SCREENSHOTS } from '../support/browser';
import { composeLabels } from '../support/podman';
import { addDockerTarget, chooseSources, invoke, pane, paneText, startLogsRig, type LogsRig } from './logs-support';

const TARGET = 'shop-prod';
const CONTAINER = 'shop-backend-1';

let rig: LogsRig;
let page: Page;
let targetId: string;

beforeAll(async () => {
  rig = await startLogsRig();
  page = rig.page;
  await rig.podman.run(
    CONTAINER,
    'trap "exit 0" TERM; i=0; while true; do echo "backend line $i"; i=$((i+1)); sleep 0.2; done',
    composeLabels('shop', 'backend'),
  );
  await page.goto(rig.app.url);
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  targetId = await addDockerTarget(page, rig, TARGET);
});

afterAll(async () => {
  await rig?.stop();
});

async function go(hash: string) {
  await page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);
}

function hashOf(): string {
  return new URL(page.url()).hash;
}

async function shot(name: string) {
  await page.mouse.move(1430, 890);
  await animationsSettled(page);
  await page.screenshot({ path: join(SCREENSHOTS, name) });
}

/** The link's query, once the click has taken the page to the new-bundle route. */
async function followToNewBundle(link: Locator): Promise<URLSearchParams> {
  await link.click();
  await expect.poll(hashOf).toMatch(/^#\/bundles\/new\?/);
  await page.getByRole('form', { name: 'New bundle' }).waitFor();
  return new URLSearchParams(hashOf().slice(hashOf().indexOf('?') + 1));
}

const form = () => page.getByRole('form', { name: 'New bundle' });

/** The new-bundle page's fields, as the user sees them. */
async function fields() {
  const windowChoice = await form()
    .getByRole('radiogroup', { name: 'Window' })
    .locator('input:checked')
    .getAttribute('value');
  const around = form().getByLabel('Around time');
  const minutes = form().getByLabel('Minutes either side');
  return {
    target: await form().getByLabel('Target', { exact: true }).inputValue(),
    windowChoice,
    aroundAt: (await around.count()) ? await around.inputValue() : undefined,
    aroundMinutes: (await minutes.count()) ? await minutes.inputValue() : undefined,
  };
}

/** What the page's fields should hold for an "around" window: its time in local time, to the second. */
function aroundFields(window: BundleWindow) {
  if (window.mode !== 'around') throw new Error(`not an around window: ${window.mode}`);
  return {
    windowChoice: 'around',
    aroundAt: toLocalInput(Date.parse(window.at)),
    aroundMinutes: String(window.minutes),
  };
}

/** A loopback port nothing listens on: one the OS just handed out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Support bundle buttons', () => {
  it('from the Overview: the target’s bundle of the last hour', async () => {
    await go('#/overview');
    const header = page.locator('.target-header');
    await expect
      .poll(() => header.getByTestId('connection-state').getAttribute('data-status'), { timeout: 20_000 })
      .toBe('connected');
    await page.getByTestId(`container-${CONTAINER}`).waitFor();
    const link = header.getByRole('link', { name: 'Support bundle' });
    expect(await link.getAttribute('title')).toBe(`Collect a support bundle of ${TARGET}: the last hour`);
    await shot('bundles-entry-overview.png');

    const query = await followToNewBundle(link);
    expect(Object.fromEntries(query)).toEqual({ target: targetId, mode: 'last', minutes: '60' });
    expect(await fields()).toEqual({
      target: targetId,
      windowChoice: 'hour',
      aroundAt: undefined,
      aroundMinutes: undefined,
    });
    expect(await form().getByLabel('Target', { exact: true }).locator('option:checked').textContent()).toBe(
      `${TARGET} (prod)`,
    );
    await shot('bundles-entry-overview-new.png');
  });

  it('from a log pane showing cached lines: around that range', async () => {
    await go(`#/logs/${targetId}`);
    await chooseSources(page, 1, [CONTAINER]);
    await expect
      .poll(async () => (await paneText(page, 1)).filter((row) => row.includes('backend line')).length, {
        timeout: 20_000,
      })
      .toBeGreaterThan(3);

    const now = Date.now();
    const from = toLocalInput(now - 10 * 60_000);
    const to = toLocalInput(now + 60_000);
    await pane(page, 1).getByRole('button', { name: 'More' }).click();
    const menu = pane(page, 1).getByRole('dialog', { name: 'More pane tools' });
    await menu.getByLabel('From', { exact: true }).fill(from);
    await menu.getByLabel('To', { exact: true }).fill(to);
    await menu.getByRole('button', { name: 'Show in pane' }).click();
    const banner = pane(page, 1).locator('.banner-history');
    await banner.getByText(/^Cached lines from/).waitFor();
    await shot('bundles-entry-logs-range.png');

    const expected = aroundRange(new Date(from).getTime(), new Date(to).getTime());
    const query = await followToNewBundle(banner.getByRole('link', { name: 'Support bundle' }));
    expect(Object.fromEntries(query)).toEqual({
      target: targetId,
      mode: 'around',
      at: expected.mode === 'around' ? expected.at : '',
      minutes: expected.mode === 'around' ? String(expected.minutes) : '',
    });
    // Ten minutes back to one ahead: around the middle, 5½ minutes either side (rounded up) plus five.
    expect(expected).toMatchObject({ minutes: 11 });
    expect(await fields()).toEqual({ target: targetId, ...aroundFields(expected) });
    await shot('bundles-entry-logs-range-new.png');
  });

  it('from the Logs area’s header: the target’s last hour', async () => {
    await go(`#/logs/${targetId}`);
    const link = page.locator('.logs-header').getByRole('link', { name: 'Support bundle' });
    await link.waitFor();
    await shot('bundles-entry-logs.png');
    const query = await followToNewBundle(link);
    expect(Object.fromEntries(query)).toEqual({ target: targetId, mode: 'last', minutes: '60' });
    expect((await fields()).target).toBe(targetId);
    expect((await fields()).windowChoice).toBe('hour');
  });

  it('from a failing probe’s drill-down: around its last failure, on its target when it has one', async () => {
    const http = await invoke<{ id: string }>(page, 'probes:create', {
      name: 'shop api',
      scope: 'shop',
      kind: 'http',
      settings: { url: `http://127.0.0.1:${await closedPort()}/health` },
      retries: 0,
      intervalSeconds: 3600,
    });
    const docker = await invoke<{ id: string }>(page, 'probes:create', {
      name: 'shop worker container',
      scope: 'shop',
      kind: 'docker',
      settings: { targetId, container: 'shop-worker-1' },
      retries: 0,
      intervalSeconds: 3600,
    });
    await invoke(page, 'probes:run', { probeId: http.id });
    await invoke(page, 'probes:run', { probeId: docker.id });
    const failedAt = async (id: string) =>
      (await invoke<ProbeSummary[]>(page, 'probes:list', {})).find((summary) => summary.probe.id === id)
        ?.lastFailureAt ?? null;
    await expect.poll(() => failedAt(http.id), { timeout: 30_000 }).not.toBeNull();
    await expect.poll(() => failedAt(docker.id), { timeout: 30_000 }).not.toBeNull();

    // An HTTP probe belongs to no target: the page leaves the choice open (its first target).
    const httpFailure = (await failedAt(http.id))!;
    await go(`#/integrations/probe/${http.id}`);
    const header = page.locator('.probe-header');
    await header.getByRole('heading', { name: 'shop api' }).waitFor();
    await shot('bundles-entry-probe.png');
    let query = await followToNewBundle(header.getByRole('link', { name: 'Support bundle' }));
    expect(Object.fromEntries(query)).toEqual({
      mode: 'around',
      at: new Date(httpFailure).toISOString(),
      minutes: '15',
    });
    const chosen = await fields();
    expect(chosen).toMatchObject(aroundFields({ mode: 'around', at: httpFailure, minutes: 15 }));
    expect(chosen.target).toBe(targetId);
    expect(await form().getByLabel('Target', { exact: true }).isEnabled()).toBe(true);
    await shot('bundles-entry-probe-new.png');

    // A Docker probe is about its target: the bundle is of that target.
    const dockerFailure = (await failedAt(docker.id))!;
    await go(`#/integrations/probe/${docker.id}`);
    await header.getByRole('heading', { name: 'shop worker container' }).waitFor();
    query = await followToNewBundle(header.getByRole('link', { name: 'Support bundle' }));
    expect(Object.fromEntries(query)).toEqual({
      target: targetId,
      mode: 'around',
      at: new Date(dockerFailure).toISOString(),
      minutes: '15',
    });
    expect(await fields()).toEqual({
      target: targetId,
      ...aroundFields({ mode: 'around', at: dockerFailure, minutes: 15 }),
    });
  });

  it('from a run’s viewer: around the run, from its start to its end', async () => {
    const started = await invoke<{ id: string }>(page, 'runs:start', {
      runbookId: 'healthcheck',
      targetId,
      inputs: { service: 'backend' },
    });
    const runOf = () => invoke<RunDetail>(page, 'runs:get', { id: started.id });
    await expect.poll(async () => (await runOf()).run.status, { timeout: 60_000 }).toBe('succeeded');
    const { run } = await runOf();

    await go(`#/runbooks/run/${run.id}`);
    const actions = page.locator('.run-actions');
    const link = actions.getByRole('link', { name: 'Support bundle' });
    await link.waitFor();
    await shot('bundles-entry-run.png');

    const expected = aroundRange(run.startedAt!, run.endedAt!);
    const query = await followToNewBundle(link);
    expect(Object.fromEntries(query)).toEqual({
      target: targetId,
      mode: 'around',
      at: expected.mode === 'around' ? expected.at : '',
      minutes: expected.mode === 'around' ? String(expected.minutes) : '',
    });
    // A run of seconds: a few minutes either side of it.
    expect(expected).toMatchObject({ minutes: 6 });
    expect(await fields()).toEqual({ target: targetId, ...aroundFields(expected) });
    await shot('bundles-entry-run-new.png');
  });

  it('logged no errors in the page', () => {
    expect(rig.pageErrors.filter((message) => !/WebSocket|ERR_CONNECTION_REFUSED/.test(message))).toEqual([]);
  });
});
