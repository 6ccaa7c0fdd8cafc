/**
 * What the command-bar and approval end-to-end tests share: the logs rig (keychain, sshd in front
 * of podman, the app in browser mode, Chromium) with a compose-labelled `worker` container and a
 * prod docker-ssh target for it, a plan from the command bar, and a run's state read over the
 * page's own WebSocket.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { RunDetail } from '../../shared/model/runbook';
import { composeLabels } from '../support/podman';
import { addDockerTarget, invoke, startLogsRig, type LogsRig } from './logs-support';

export const TARGET = 'shop-prod';
export const CONTAINER = 'shop-worker-1';

export interface RunbooksRig extends LogsRig {
  targetId: string;
}

export async function startRunbooksRig(): Promise<RunbooksRig> {
  const rig = await startLogsRig();
  // `trap` lets sh (PID 1) stop on SIGTERM at once, so a restart takes well under a second.
  await rig.podman.run(CONTAINER, 'trap "exit 0" TERM; while true; do sleep 1; done', composeLabels('shop', 'worker'));
  await rig.page.goto(rig.app.url);
  await rig.page.getByRole('button', { name: 'Run a command' }).waitFor();
  const targetId = await addDockerTarget(rig.page, rig, TARGET);
  return { ...rig, targetId };
}

/**
 * The rig for the whole test file: started in `beforeAll`, stopped in `afterAll`. The object it
 * returns reads the started rig (a test file's tests build on each other on one page).
 */
export function runbooksRigForFile(): RunbooksRig {
  let started: RunbooksRig | undefined;
  beforeAll(async () => {
    started = await startRunbooksRig();
  });
  afterAll(async () => {
    await started?.stop();
  });
  return new Proxy({} as RunbooksRig, {
    get(_, key) {
      if (!started) throw new Error('The runbooks rig starts in beforeAll: use it inside a test.');
      return Reflect.get(started, key) as unknown;
    },
  });
}

export function commandBar(page: Page): Locator {
  return page.getByRole('dialog', { name: 'Run a command' });
}

/** Opens the bar with Ctrl+K, types the command, presses Enter and waits for the plan card. */
export async function planFromCommandBar(page: Page, text: string): Promise<Locator> {
  await page.keyboard.press('Control+k');
  const bar = commandBar(page);
  await bar.waitFor();
  await bar.getByRole('textbox', { name: 'Command' }).fill(text);
  await page.keyboard.press('Enter');
  const card = bar.getByTestId('plan-card');
  await card.waitFor();
  return card;
}

/** The run the viewer shows, from `#/runbooks/run/<id>`, once it is another than `before` (the URL when Run was pressed). */
export async function viewedRunId(page: Page, before: string): Promise<string> {
  await page.waitForURL((url) => url.href !== before && /#\/runbooks\/run\/run-[a-z0-9-]+$/.test(url.href));
  return /#\/runbooks\/run\/(run-[a-z0-9-]+)$/.exec(page.url())![1]!;
}

export function runDetail(page: Page, id: string): Promise<RunDetail> {
  return invoke<RunDetail>(page, 'runs:get', { id });
}

export async function startedAt(rig: RunbooksRig): Promise<string> {
  return rig.podman.cli(['inspect', '--format', '{{.State.StartedAt}}', CONTAINER]);
}
