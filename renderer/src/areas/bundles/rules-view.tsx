/**
 * The Rules tab: custom redaction rules applied to every bundle besides the built-ins and the
 * keychain's secrets — a regex whose named `mask` group is hidden, a literal value (typed in a
 * password field, shown only by its length; the app never sends it back), or a JSON path.
 */
import { useCallback, useEffect, useState } from 'react';
import type { RedactionRule, RedactionRuleDraft } from '../../../../shared/model/bundle';
import { useApi } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { PencilIcon, PlusIcon, TrashIcon } from '../../components/icons';
import { Notice, useNotice } from '../../components/notice';
import { RuleDialog } from './rule-dialog';

const KIND_LABELS: Record<RedactionRule['kind'], string> = {
  regex: 'Regex',
  literal: 'Literal value',
  'json-path': 'JSON path',
};

export function RulesView() {
  const api = useApi();
  const [rules, setRules] = useState<RedactionRule[]>();
  const [error, setError] = useState<string>();
  const [editing, setEditing] = useState<{ rule: RedactionRule | undefined; enabled?: boolean }>();
  const [deleting, setDeleting] = useState<RedactionRule>();
  const [notice, showNotice] = useNotice();

  const reload = useCallback(() => {
    api.invoke('bundles:rules', {}).then(
      (list) => {
        setRules(list);
        setError(undefined);
      },
      (caught: unknown) => setError(toApiError(caught).message),
    );
  }, [api]);
  useEffect(reload, [reload]);

  async function setEnabled(rule: RedactionRule, enabled: boolean) {
    // A literal rule's value never comes back from main: it is typed again to save the rule.
    if (rule.kind === 'literal') {
      setEditing({ rule, enabled });
      return;
    }
    const draft: RedactionRuleDraft =
      rule.kind === 'regex'
        ? { kind: 'regex', name: rule.name, pattern: rule.pattern, enabled }
        : { kind: 'json-path', name: rule.name, path: rule.path, enabled };
    try {
      await api.invoke('bundles:updateRule', { id: rule.id, draft });
      reload();
    } catch (caught) {
      showNotice(toApiError(caught).message, 'error');
    }
  }

  return (
    <div className="bundle-rules">
      <p className="muted bundle-rules-intro">
        Every bundle is redacted with the built-in rules (tokens, keys, passwords, connection strings, auth headers) and
        with every secret the keychain holds for its target, probes and channels. Add your own here.
      </p>
      <div className="bundles-toolbar">
        <button type="button" className="button button-primary" onClick={() => setEditing({ rule: undefined })}>
          <PlusIcon /> Add a rule
        </button>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          Could not read the rules: {error}
        </p>
      ) : null}
      {rules === undefined ? (
        error ? null : (
          <p className="loading">Loading rules…</p>
        )
      ) : rules.length === 0 ? (
        <p className="muted">No custom rules yet.</p>
      ) : (
        <table className="bundles-table rules-table" aria-label="Custom redaction rules">
          <thead className="table-heads">
            <tr>
              <th scope="col">On</th>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Matches</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rules.map((rule) => (
              <tr key={rule.id} data-rule={rule.id} className={rule.enabled ? '' : 'is-off'}>
                <td>
                  <input
                    type="checkbox"
                    className="checkbox"
                    aria-label={`${rule.name} enabled`}
                    checked={rule.enabled}
                    onChange={(event) => void setEnabled(rule, event.target.checked)}
                  />
                </td>
                <td>{rule.name}</td>
                <td>{KIND_LABELS[rule.kind]}</td>
                <td className="mono rule-match">
                  {rule.kind === 'regex'
                    ? rule.pattern
                    : rule.kind === 'json-path'
                      ? rule.path
                      : `a value of ${rule.valueLength} characters`}
                </td>
                <td>
                  <div className="row-actions">
                    <button
                      type="button"
                      className="button button-small button-quiet"
                      aria-label={`Edit ${rule.name}`}
                      onClick={() => setEditing({ rule })}
                    >
                      <PencilIcon />
                    </button>
                    <button
                      type="button"
                      className="button button-small button-quiet-danger"
                      aria-label={`Delete ${rule.name}`}
                      onClick={() => setDeleting(rule)}
                    >
                      <TrashIcon />
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing ? (
        <RuleDialog
          rule={editing.rule}
          enabled={editing.enabled}
          onClose={() => setEditing(undefined)}
          onSaved={(saved) => {
            setEditing(undefined);
            reload();
            showNotice(`Saved the rule ${saved.name}.`);
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete the rule ${deleting.name}?`}
          description="Bundles made from now on no longer apply it; bundles already made stay as they are."
          confirmLabel="Delete"
          busyLabel="Deleting…"
          tone="danger"
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await api.invoke('bundles:deleteRule', { id: deleting.id });
            setDeleting(undefined);
            reload();
            showNotice(`Deleted the rule ${deleting.name}.`);
          }}
        />
      ) : null}
      <Notice notice={notice} />
    </div>
  );
}
