/**
 * Rules and dependencies. The defaults first, then each scope's and probe's own rule (only what
 * it sets; the rest falls through), then what depends on what: while a parent fails, its
 * dependants' alerts are held and their rows say "blocked by <parent>".
 */
import { useState, type FormEvent } from 'react';
import type { AlertDependency, AlertRule, AlertSubject } from '../../../../shared/model/alerts';
import type { ProbeSummary } from '../../../../shared/model/probe';
import { useApi } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { PencilIcon, PlusIcon, TrashIcon, WarningIcon } from '../../components/icons';
import { Notice, useNotice } from '../../components/notice';
import { RuleDialog, SubjectOptions } from './rule-dialog';
import { describeSettings, plural, subjectKey, subjectName, subjectOfKey } from './rule-form';
import { useRead } from './use-read';

type Open =
  | { dialog: 'rule'; subject?: AlertSubject }
  | { dialog: 'deleteRule'; rule: AlertRule }
  | { dialog: 'deleteDependency'; dependency: AlertDependency }
  | null;

export function RulesView({ summaries }: { summaries: ProbeSummary[] }) {
  const api = useApi();
  const rules = useRead('alerts:rules', {});
  const dependencies = useRead('alerts:dependencies', {});
  const channels = useRead('channels:list', {});
  const [open, setOpen] = useState<Open>(null);
  const [notice, showNotice] = useNotice();
  const channelName = (id: string) => channels.data?.find((c) => c.id === id)?.name ?? 'a deleted channel';
  const d = rules.data?.defaults;
  // Scope rules before probe rules, each by name.
  const sorted = [...(rules.data?.rules ?? [])].sort(
    (a, b) =>
      (a.subject.kind === 'scope' ? 0 : 1) - (b.subject.kind === 'scope' ? 0 : 1) ||
      subjectName(a.subject, summaries).localeCompare(subjectName(b.subject, summaries)),
  );

  return (
    <div className="alerts-view" data-testid="rules-view">
      <section className="alerts-section" aria-labelledby="rules-title">
        <div className="alerts-section-head">
          <h2 id="rules-title">Alert rules</h2>
          <span className="spacer" />
          <button
            type="button"
            className="button button-primary"
            disabled={!rules.data}
            onClick={() => setOpen({ dialog: 'rule' })}
          >
            <PlusIcon /> Add rule
          </button>
        </div>
        {rules.error ? (
          <p className="form-error" role="alert">
            <WarningIcon size={14} /> {rules.error}
          </p>
        ) : null}
        {d ? (
          <p className="muted" data-testid="rule-defaults">
            Every probe, unless a rule says otherwise: alert after {plural(d.failuresToAlert, 'failure')}, resolved
            after {plural(d.successesToResolve, 'success', 'successes')},{' '}
            {d.alertOnStale ? 'alert when stale' : 'no stale alert'},{' '}
            {d.reminderMinutes ? `a reminder every ${d.reminderMinutes} min` : 'no reminders'}, cooldown{' '}
            {d.cooldownMinutes} min, to{' '}
            {d.channelIds === null ? 'every enabled channel' : d.channelIds.map(channelName).join(', ')}.
          </p>
        ) : null}
        {sorted.length ? (
          <ul className="alert-cards" aria-label="Rules">
            {sorted.map((rule) => {
              const name = subjectName(rule.subject, summaries);
              return (
                <li key={subjectKey(rule.subject)} className="alert-card" aria-label={`Rule for ${name}`}>
                  <div className="alert-card-title">
                    <span>{name}</span>
                    <span className="kind-tag">{rule.subject.kind}</span>
                  </div>
                  <div className="alert-card-facts">{describeSettings(rule.settings, channelName)}</div>
                  <div className="alert-card-actions">
                    <button
                      type="button"
                      className="button button-small button-quiet"
                      aria-label={`Edit rule for ${name}`}
                      onClick={() => setOpen({ dialog: 'rule', subject: rule.subject })}
                    >
                      <PencilIcon size={14} />
                    </button>
                    <button
                      type="button"
                      className="button button-small button-quiet button-quiet-danger"
                      aria-label={`Delete rule for ${name}`}
                      onClick={() => setOpen({ dialog: 'deleteRule', rule })}
                    >
                      <TrashIcon size={14} />
                    </button>
                  </div>
                </li>
              );
            })}
          </ul>
        ) : rules.data ? (
          <p className="muted">No rules of their own yet: every probe follows the defaults.</p>
        ) : null}
      </section>

      <section className="alerts-section" aria-labelledby="dependencies-title">
        <div className="alerts-section-head">
          <h2 id="dependencies-title">Dependencies</h2>
        </div>
        <p className="muted">
          While a parent fails, its dependants’ alerts are held (one outage, one alert); when it recovers, dependants
          still failing alert once.
        </p>
        {dependencies.error ? (
          <p className="form-error" role="alert">
            <WarningIcon size={14} /> {dependencies.error}
          </p>
        ) : null}
        {dependencies.data?.length ? (
          <ul className="alert-cards" aria-label="Dependencies">
            {dependencies.data.map((dependency) => {
              const dependant = subjectName(dependency.dependant, summaries);
              return (
                <li
                  key={dependency.id}
                  className="alert-card"
                  aria-label={`${dependant} depends on ${dependency.parentName}`}
                >
                  <div className="alert-card-title">
                    <span>{dependant}</span>
                    <span className="muted">depends on</span>
                    <span>{dependency.parentName}</span>
                  </div>
                  <div className="alert-card-actions">
                    <button
                      type="button"
                      className="button button-small button-quiet button-quiet-danger"
                      aria-label={`Delete dependency of ${dependant} on ${dependency.parentName}`}
                      onClick={() => setOpen({ dialog: 'deleteDependency', dependency })}
                    >
                      <TrashIcon size={14} />
                    </button>
                  </div>
                </li>
              );
            })}
          </ul>
        ) : null}
        <AddDependency
          summaries={summaries}
          onAdded={(dependency) => {
            dependencies.reload();
            showNotice(`${subjectName(dependency.dependant, summaries)} now depends on ${dependency.parentName}.`);
          }}
        />
      </section>

      <Notice notice={notice} />
      {open?.dialog === 'rule' && rules.data ? (
        <RuleDialog
          rules={rules.data}
          subject={open.subject}
          summaries={summaries}
          channels={channels.data ?? []}
          onClose={() => setOpen(null)}
          onSaved={() => {
            setOpen(null);
            rules.reload();
            showNotice('Rule saved.');
          }}
        />
      ) : null}
      {open?.dialog === 'deleteRule' ? (
        <ConfirmDialog
          title={`Delete the rule for ${subjectName(open.rule.subject, summaries)}?`}
          description="What it set falls back to the scope’s rule or the defaults."
          confirmLabel="Delete rule"
          busyLabel="Deleting…"
          tone="danger"
          onClose={() => setOpen(null)}
          onConfirm={async () => {
            await api.invoke('alerts:deleteRule', { subject: open.rule.subject });
            setOpen(null);
            rules.reload();
          }}
        />
      ) : null}
      {open?.dialog === 'deleteDependency' ? (
        <ConfirmDialog
          title="Delete this dependency?"
          description={`${subjectName(open.dependency.dependant, summaries)} will alert even while ${open.dependency.parentName} fails.`}
          confirmLabel="Delete dependency"
          busyLabel="Deleting…"
          tone="danger"
          onClose={() => setOpen(null)}
          onConfirm={async () => {
            await api.invoke('alerts:deleteDependency', { id: open.dependency.id });
            setOpen(null);
            dependencies.reload();
          }}
        />
      ) : null}
    </div>
  );
}

/** One line: [dependant] depends on [parent] [Add]. */
function AddDependency({
  summaries,
  onAdded,
}: {
  summaries: ProbeSummary[];
  onAdded(dependency: AlertDependency): void;
}) {
  const api = useApi();
  const [dependant, setDependant] = useState('');
  const [parent, setParent] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  function submit(event: FormEvent) {
    event.preventDefault();
    const child = subjectOfKey(dependant) as AlertSubject | undefined;
    const up = subjectOfKey(parent) as AlertSubject | undefined;
    if (!child || !up) {
      setError('Pick what depends, and on what.');
      return;
    }
    if (dependant === parent) {
      setError('Something cannot depend on itself; pick another parent.');
      return;
    }
    setBusy(true);
    setError(undefined);
    api.invoke('alerts:setDependency', { dependant: child, parent: up }).then(
      (dependency) => {
        setBusy(false);
        setDependant('');
        setParent('');
        onAdded(dependency);
      },
      (caught: unknown) => {
        setBusy(false);
        setError(toApiError(caught).message);
      },
    );
  }

  return (
    <form className="alerts-toolbar" onSubmit={submit} aria-label="Add dependency">
      <select
        className="input select"
        aria-label="Dependant"
        value={dependant}
        onChange={(e) => setDependant(e.target.value)}
      >
        <option value="">Pick what depends…</option>
        <SubjectOptions summaries={summaries} />
      </select>
      <span className="muted">depends on</span>
      <select className="input select" aria-label="Parent" value={parent} onChange={(e) => setParent(e.target.value)}>
        <option value="">Pick its parent…</option>
        <SubjectOptions summaries={summaries} />
      </select>
      <button type="submit" className="button" disabled={busy}>
        <PlusIcon /> Add dependency
      </button>
      {error ? (
        <p className="form-error" role="alert">
          <WarningIcon size={14} /> {error}
        </p>
      ) : null}
    </form>
  );
}
