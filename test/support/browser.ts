/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser), headless, with a
 * fresh profile per launch. Every page prefers reduced motion, so the renderer shows a state
 * change at once instead of fading or sliding into it: a test waits for the state, never for
 * an animation to end.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './app';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(REPO_ROOT, 'test', 'e2e', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // Playwright emulates "no-preference" unless told otherwise (a Chromium flag does not win over
  // it), so every context and page of this browser asks for reduced motion unless a test says so.
  const newContext = browser.newContext.bind(browser);
  const newPage = browser.newPage.bind(browser);
  browser.newContext = (options = {}) => newContext({ reducedMotion: 'reduce', ...options });
  browser.newPage = (options = {}) => newPage({ reducedMotion: 'reduce', ...options });
  return browser;
}

/** Collects what the page reports as errors (uncaught exceptions, console.error) into `errors`. */
export function recordPageErrors(page: Page, errors: string[]): void {
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
}

/** A page of the given size, waiting up to `timeoutMs` per action, its errors collected. */
export async function openPage(
  browser: Browser,
  viewport: { width: number; height: number },
  errors: string[],
  timeoutMs = 10_000,
): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(timeoutMs);
  recordPageErrors(page, errors);
  return page;
}

/**
 * Resolves once nothing on the page is moving: no transition or finite animation running.
 * With reduced motion there are none, so this returns at once; it is there so that a
 * screenshot never catches a half-faded dialog if a rule without the media query slips in.
 */
export async function animationsSettled(page: Page, timeoutMs = 5_000): Promise<void> {
  const moving = `document.getAnimations().filter((a) => a.playState === 'running' && a.effect?.getTiming().iterations !== Infinity)`;
  try {
    await page.waitForFunction(`${moving}.length === 0`, undefined, { timeout: timeoutMs, polling: 'raf' });
  } catch (error) {
    const names = await page
      .evaluate<string[]>(`${moving}.map((a) => a.animationName ?? a.transitionProperty ?? a.constructor.name)`)
      .catch(() => []);
    throw new Error(`the page was still animating after ${timeoutMs} ms: ${names.join(', ') || String(error)}`);
  }
}
