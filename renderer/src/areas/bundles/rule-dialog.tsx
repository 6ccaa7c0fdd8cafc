/**
 * Adding or editing a custom redaction rule: its name, its kind and what it matches. A regex
 * must hide a named `mask` group; a literal value is typed in a password field (and again when
 * the rule is edited: the app never sends it back); a JSON path names the field to hide.
 */
import { useId, useState, type FormEvent } from 'react';
import type { RedactionRule } from '../../../../shared/model/bundle';
import { useApi } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { Dialog } from '../../components/dialog';
import { DialogFooter } from '../../components/dialog-footer';
import { draftOf, type RuleForm, type RuleKind as Kind } from './rule-draft';

const KINDS: { id: Kind; label: string; hint: string }[] = [
  { id: 'regex', label: 'Regex', hint: 'A regular expression with a named group (?<mask>…): that group is replaced.' },
  { id: 'literal', label: 'Literal value', hint: 'This exact value, also in its base64 and URL-encoded forms.' },
  { id: 'json-path', label: 'JSON path', hint: 'A field of JSON files, e.g. $.env.API_KEY or $..password.' },
];

export function RuleDialog({
  rule,
  enabled,
  onClose,
  onSaved,
}: {
  rule: RedactionRule | undefined;
  /** Set when the dialog opens to turn the rule on or off (a literal rule needs its value again). */
  enabled?: boolean | undefined;
  onClose(): void;
  onSaved(rule: RedactionRule): void;
}) {
  const api = useApi();
  const [form, setForm] = useState<RuleForm>(() => ({
    kind: rule?.kind ?? 'regex',
    name: rule?.name ?? '',
    pattern: rule?.kind === 'regex' ? rule.pattern : '',
    value: '',
    path: rule?.kind === 'json-path' ? rule.path : '',
    enabled: enabled ?? rule?.enabled ?? true,
  }));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();
  const ids = { name: useId(), pattern: useId(), value: useId(), path: useId() };

  async function submit(event: FormEvent) {
    event.preventDefault();
    const draft = draftOf(form);
    if ('error' in draft) {
      setError(draft.error);
      return;
    }
    setSaving(true);
    setError(undefined);
    try {
      const saved = rule
        ? await api.invoke('bundles:updateRule', { id: rule.id, draft: draft.draft })
        : await api.invoke('bundles:createRule', draft.draft);
      onSaved(saved);
    } catch (caught) {
      setError(toApiError(caught).message);
      setSaving(false);
    }
  }

  const kindHint = KINDS.find((kind) => kind.id === form.kind)!.hint;
  return (
    <Dialog
      title={rule ? `Edit the rule ${rule.name}` : 'Add a redaction rule'}
      description={
        rule?.kind === 'literal'
          ? `Type the value again to save this rule (it has ${rule.valueLength} characters; the app never shows it).`
          : undefined
      }
      onClose={onClose}
      busy={saving}
      className="rule-dialog"
    >
      <form noValidate onSubmit={(event) => void submit(event)}>
        <div className="form-body">
          <div className="field">
            <label htmlFor={ids.name}>Name</label>
            <input
              id={ids.name}
              className="input"
              value={form.name}
              autoComplete="off"
              data-autofocus={rule?.kind === 'literal' ? undefined : true}
              onChange={(event) => setForm({ ...form, name: event.target.value })}
            />
          </div>
          <fieldset className="field" disabled={Boolean(rule)}>
            <legend className="field-label">Kind</legend>
            <div className="segmented" role="radiogroup" aria-label="Kind">
              {KINDS.map((kind) => (
                <label key={kind.id} className="segment">
                  <input
                    type="radio"
                    name="rule-kind"
                    checked={form.kind === kind.id}
                    onChange={() => setForm({ ...form, kind: kind.id })}
                  />
                  <span>{kind.label}</span>
                </label>
              ))}
            </div>
            <p className="field-hint">{kindHint}</p>
          </fieldset>
          {form.kind === 'regex' ? (
            <div className="field">
              <label htmlFor={ids.pattern}>Pattern</label>
              <input
                id={ids.pattern}
                className="input mono"
                value={form.pattern}
                spellCheck={false}
                autoComplete="off"
                placeholder="api_key=(?<mask>[A-Za-z0-9]+)"
                onChange={(event) => setForm({ ...form, pattern: event.target.value })}
              />
            </div>
          ) : null}
          {form.kind === 'literal' ? (
            <div className="field">
              <label htmlFor={ids.value}>Value</label>
              <input
                id={ids.value}
                type="password"
                className="input mono"
                value={form.value}
                autoComplete="off"
                data-autofocus={rule?.kind === 'literal' ? true : undefined}
                onChange={(event) => setForm({ ...form, value: event.target.value })}
              />
              <p className="field-hint">
                {form.value ? `${form.value.length} characters` : 'At least 4 characters; kept in the keychain.'}
              </p>
            </div>
          ) : null}
          {form.kind === 'json-path' ? (
            <div className="field">
              <label htmlFor={ids.path}>JSON path</label>
              <input
                id={ids.path}
                className="input mono"
                value={form.path}
                spellCheck={false}
                autoComplete="off"
                placeholder="$.env.API_KEY"
                onChange={(event) => setForm({ ...form, path: event.target.value })}
              />
            </div>
          ) : null}
          <label className="checkbox-row">
            <input
              type="checkbox"
              className="checkbox"
              checked={form.enabled}
              onChange={(event) => setForm({ ...form, enabled: event.target.checked })}
            />{' '}
            Enabled
          </label>
        </div>
        <DialogFooter error={error} hint="Enter saves · Esc cancels">
          <button type="button" className="button" onClick={onClose} disabled={saving}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save rule'}
          </button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
