/**
 * Choosing what a pane follows: the target's containers (or ops-API services), grouped by
 * compose project, with their state. Up to `max` at once; they are merged in time order.
 */
import { useId, useMemo, useState } from 'react';
import type { LogSourceOption } from '../../../../shared/model/logs';

interface SourcePickerProps {
  options: LogSourceOption[] | undefined;
  initial: string[];
  max: number;
  onChoose(sources: string[]): void;
  onCancel?: (() => void) | undefined;
}

export function SourcePicker({ options, initial, max, onChoose, onCancel }: SourcePickerProps) {
  const [chosen, setChosen] = useState<string[]>(initial);
  const [query, setQuery] = useState('');
  const headingId = useId();
  const groups = useMemo(() => group(options ?? [], query), [options, query]);
  const toggle = (key: string) =>
    setChosen((current) =>
      current.includes(key) ? current.filter((k) => k !== key) : current.length >= max ? current : [...current, key],
    );

  if (!options) return <p className="pane-empty muted">Listing what this target can follow…</p>;
  if (!options.length) return <p className="pane-empty muted">This target has no containers or services to follow.</p>;

  return (
    <form
      className="source-picker"
      aria-labelledby={headingId}
      onSubmit={(event) => {
        event.preventDefault();
        if (chosen.length) onChoose(chosen);
      }}
    >
      <div className="source-picker-head">
        <h3 id={headingId}>Follow which sources?</h3>
        <span className="muted">Several are merged in time order, each in its own colour.</span>
      </div>
      {options.length > 8 ? (
        <input
          className="input input-small"
          aria-label="Find a source"
          placeholder="Find a container…"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
      ) : null}
      <div className="source-list">
        {groups.map(([project, members]) => (
          <fieldset key={project ?? ''} className="source-group">
            <legend>{project ?? 'Other'}</legend>
            {members.map((option) => {
              const on = chosen.includes(option.key);
              return (
                <label key={option.key} className={`source-option ${on ? 'is-on' : ''}`}>
                  <input
                    type="checkbox"
                    checked={on}
                    disabled={!on && chosen.length >= max}
                    onChange={() => toggle(option.key)}
                  />
                  <span className="source-option-name">{option.label}</span>
                  {option.service && option.service !== option.label ? (
                    <span className="muted source-option-service">{option.service}</span>
                  ) : null}
                  <span className={`source-option-state state-${option.state ?? 'unknown'}`}>{option.state ?? ''}</span>
                </label>
              );
            })}
          </fieldset>
        ))}
      </div>
      <div className="source-picker-actions">
        <button type="submit" className="button button-primary button-small" disabled={!chosen.length}>
          Follow {chosen.length > 1 ? `${chosen.length} sources` : chosen.length ? '1 source' : ''}
        </button>
        <button
          type="button"
          className="button button-small button-quiet"
          onClick={() =>
            setChosen(
              options
                .filter((option) => option.state === 'running')
                .map((option) => option.key)
                .slice(0, max),
            )
          }
        >
          All running
        </button>
        {onCancel ? (
          <button type="button" className="button button-small button-quiet" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
        {chosen.length >= max ? <span className="muted">At most {max} per pane.</span> : null}
      </div>
    </form>
  );
}

function group(options: LogSourceOption[], query: string): [string | null, LogSourceOption[]][] {
  const needle = query.trim().toLowerCase();
  const groups = new Map<string | null, LogSourceOption[]>();
  for (const option of options) {
    if (needle && !`${option.label} ${option.service ?? ''} ${option.project ?? ''}`.toLowerCase().includes(needle))
      continue;
    const list = groups.get(option.project) ?? [];
    list.push(option);
    groups.set(option.project, list);
  }
  return [...groups];
}
