/**
 * A small StepContext for the github, ops-api and log-scan step tests: REAL services (createServices
 * on a temporary data directory), events, outputs, facts and artifacts gathered into arrays and a
 * map the test reads (the run store keeps artifacts in a real run; here the step only needs to
 * write and read them back), runbook secrets from a map, and an AbortController to cancel with.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Clock } from '../../../node/clock';
import { createServices, type ServiceDeps, type Services } from '../../../main/services';
import { MemoryCredentialBackend } from '../../../main/services/credentials/credential-backend';
import { StepFailure, type StepContext, type StepOutcome } from '../../../main/services/runbooks/step-kind';
import type { RunArtifact, RunEventLevel } from '../../../shared/model/runbook';
import type { Target } from '../../../shared/model/target';

export interface RecordedEvent {
  level: RunEventLevel | 'output';
  message: string;
  data?: Record<string, unknown> | undefined;
}

export interface StepHarness {
  context: StepContext;
  events: RecordedEvent[];
  facts: { key: string; label: string; value: string }[];
  artifacts: Map<string, { contentType: string; content: Buffer }>;
  abort: AbortController;
}

export interface TestServices {
  services: Services;
  dataDir: string;
  close(): void;
}

export function startServices(clock?: Clock, extra: Partial<ServiceDeps> = {}): TestServices {
  const dataDir = mkdtempSync(join(tmpdir(), 'cr-steps-remote-'));
  const services = createServices({ dataDir, credentials: new MemoryCredentialBackend(), ...(clock ? { clock } : {}), probes: { background: false }, ...extra });
  return {
    services,
    dataDir,
    close() {
      services.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function stepHarness(
  services: Services,
  options: { clock: Clock; target?: Target | null; secrets?: Record<string, string>; runId?: string; artifacts?: Record<string, string> },
): StepHarness {
  const events: RecordedEvent[] = [];
  const facts: StepHarness['facts'] = [];
  const artifacts = new Map<string, { contentType: string; content: Buffer }>();
  for (const [name, text] of Object.entries(options.artifacts ?? {})) artifacts.set(name, { contentType: 'text/markdown', content: Buffer.from(text) });
  const abort = new AbortController();
  const secrets = options.secrets ?? {};
  const runId = options.runId ?? 'run-test-1';
  const context: StepContext = {
    runId,
    stepId: 'step',
    target: options.target ?? null,
    inputs: {},
    signal: abort.signal,
    clock: options.clock,
    services: { ...services, secret: (name) => Promise.resolve(secrets[name] ?? null) },
    log: (level, message, data) => events.push({ level, message, data }),
    output: (line) => events.push({ level: 'output', message: line }),
    writeArtifact(name, contentType, content): RunArtifact {
      const bytes = typeof content === 'string' ? Buffer.from(content) : content;
      artifacts.set(name, { contentType, content: bytes });
      return { id: `${runId}-${name}`, name, contentType, bytes: bytes.length, step: 'step', createdAt: new Date(options.clock.now()).toISOString() };
    },
    readArtifact: (name) => artifacts.get(name)?.content ?? null,
    fact: (key, label, value) => facts.push({ key, label, value }),
    outputs: {},
  };
  return { context, events, facts, artifacts, abort };
}

/** The StepFailure a step's run rejects with; the test fails when it succeeds or rejects with anything else. */
export async function failureOf(run: Promise<StepOutcome>): Promise<StepFailure> {
  const error = await run.then(
    () => null,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(StepFailure);
  return error as StepFailure;
}
