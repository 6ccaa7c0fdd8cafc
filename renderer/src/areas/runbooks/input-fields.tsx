/**
 * A runbook's inputs as form controls, each by its type: a select for allowed values (and for a
 * target), a checkbox for a boolean, a password field for a secret, a text field otherwise.
 * Values are strings, as runs take them (`"true"`, `"3"`). The plan card's Edit form and a
 * probe's remediation both use it, and `TargetField` for the run's own target.
 */
import type { RunbookInput } from '../../../../shared/model/runbook';
import type { Target } from '../../../../shared/model/target';
import { Field } from '../../components/field';
import { initialValue, inputLabel } from './command-model';

interface InputFieldsProps {
  inputs: readonly RunbookInput[];
  values: Record<string, string>;
  onChange(name: string, value: string): void;
  targets: readonly Target[];
  disabled?: boolean;
}

export function InputFields({ inputs, values, onChange, targets, disabled = false }: InputFieldsProps) {
  return (
    <>
      {inputs.map((input) => (
        <InputField
          key={input.name}
          input={input}
          value={initialValue(input, values)}
          onValue={(value) => onChange(input.name, value)}
          targets={targets}
          disabled={disabled}
        />
      ))}
    </>
  );
}

/** The target a run goes to: any target (by name and environment), or none. */
export function TargetField({
  label,
  targets,
  targetId,
  onChange,
  disabled = false,
}: {
  label: string;
  targets: readonly Target[];
  targetId: string | null;
  onChange(targetId: string | null): void;
  disabled?: boolean;
}) {
  return (
    <Field label={label}>
      {(control) => (
        <select
          {...control}
          className="input select"
          value={targetId ?? ''}
          disabled={disabled}
          onChange={(event) => onChange(event.target.value || null)}
        >
          <option value="">No target</option>
          {targets.map((target) => (
            <option key={target.id} value={target.id}>
              {target.name} ({target.environment})
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function InputField({
  input,
  value,
  onValue,
  targets,
  disabled,
}: {
  input: RunbookInput;
  value: string;
  onValue(value: string): void;
  targets: readonly Target[];
  disabled: boolean;
}) {
  const label = `${inputLabel(input)}${input.required ? '' : ' (optional)'}`;
  if (input.type === 'boolean') {
    return (
      <label className="checkbox runbook-input-checkbox">
        <input
          type="checkbox"
          checked={value === 'true'}
          disabled={disabled}
          onChange={(event) => onValue(event.target.checked ? 'true' : 'false')}
        />
        {label}
      </label>
    );
  }
  const choices = input.allowed ?? (input.type === 'target' ? targets.map((target) => target.name) : undefined);
  const hint = input.type === 'secret' ? 'Used for this run only; never stored or shown.' : input.help;
  return (
    <Field label={label} hint={hint}>
      {(control) =>
        choices ? (
          <select
            {...control}
            className="input select"
            value={value}
            disabled={disabled}
            onChange={(event) => onValue(event.target.value)}
          >
            {value === '' || !choices.includes(value) ? (
              <option value={value}>{value === '' ? '— choose —' : value}</option>
            ) : null}
            {choices.map((choice) => (
              <option key={choice} value={choice}>
                {choice}
              </option>
            ))}
          </select>
        ) : (
          <input
            {...control}
            className={input.type === 'secret' ? 'input' : 'input mono'}
            type={input.type === 'secret' ? 'password' : input.type === 'number' ? 'number' : 'text'}
            placeholder={input.type === 'time' ? '14:05' : undefined}
            value={value}
            disabled={disabled}
            autoComplete="off"
            spellCheck={false}
            onChange={(event) => onValue(event.target.value)}
          />
        )
      }
    </Field>
  );
}
