/**
 * A run's phases with their steps: each step's state (a mark and its word), what it does, its
 * outcome and its duration, ticking while it runs.
 */
import { RUNBOOK_PHASES, type RunStepInfo } from '../../../../shared/model/runbook';
import { useNow } from '../../components/use-now';
import { STEP_STATES, elapsedMs, formatElapsed } from './run-status';

const PHASE_LABELS: Record<string, string> = {
  validate: 'Validate',
  preflight: 'Preflight',
  action: 'Action',
  verify: 'Verify',
  summarize: 'Summarize',
  rollback: 'Rollback',
};

export function RunSteps({ steps }: { steps: RunStepInfo[] }) {
  const running = steps.some((step) => step.state === 'running');
  const now = useNow(1000, running);
  const phases = [...RUNBOOK_PHASES, 'rollback'] as const;
  return (
    <nav className="run-steps" aria-label="Phases and steps">
      {phases.map((phase) => {
        const inPhase = steps.filter((step) => step.phase === phase);
        if (!inPhase.length) return null;
        return (
          <section key={phase} className="run-phase" data-phase={phase}>
            <h3 className="run-phase-title">
              {PHASE_LABELS[phase]}
              <span className="muted"> · {phaseState(inPhase)}</span>
            </h3>
            <ol className="run-step-list">
              {inPhase.map((step) => {
                const state = STEP_STATES[step.state];
                return (
                  <li
                    key={step.index}
                    className={`run-step tone-${state.tone} ${step.state === 'running' ? 'is-running' : ''}`}
                    data-step={step.id}
                    data-state={step.state}
                  >
                    <span className="run-step-mark" aria-hidden="true">
                      {state.mark}
                    </span>
                    <div className="run-step-body">
                      <div className="run-step-head">
                        <span className="run-step-id mono">{step.id}</span>
                        <span className="run-step-state">{state.label}</span>
                        <span className="run-step-duration" data-testid={`step-duration-${step.id}`}>
                          {formatElapsed(elapsedMs(step, now))}
                        </span>
                      </div>
                      <p className="run-step-description">{step.description}</p>
                      {step.message ? <p className="run-step-message">{step.message}</p> : null}
                    </div>
                  </li>
                );
              })}
            </ol>
          </section>
        );
      })}
    </nav>
  );
}

function phaseState(steps: RunStepInfo[]): string {
  if (steps.some((step) => step.state === 'running')) return 'running';
  if (steps.some((step) => step.state === 'failed')) return 'failed';
  if (steps.every((step) => step.state === 'pending')) return 'not started';
  if (steps.some((step) => step.state === 'canceled')) return 'canceled';
  if (steps.every((step) => step.state === 'skipped')) return 'skipped';
  if (steps.every((step) => step.state === 'described')) return 'described';
  if (steps.every((step) => ['succeeded', 'reused', 'described'].includes(step.state))) return 'done';
  return `${steps.filter((step) => step.state !== 'pending').length} of ${steps.length}`;
}
