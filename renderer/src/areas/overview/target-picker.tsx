/**
 * The Overview's target tabs. The last choice is kept with the app's data (a setting), so the
 * Overview opens where the user left it, in every launch; arrow keys move between tabs, as in
 * any tab strip.
 */
import type { KeyboardEvent } from 'react';
import type { Target } from '../../../../shared/model/target';
import { useRememberedChoice } from '../../api/use-remembered-choice';
import { useConnectionState } from '../../app/connections-store';
import { describeState } from '../../components/connection-chip';
import { EnvBadge } from '../../components/env-badge';
import { SHORT_KIND_LABELS } from '../targets/target-form';

/**
 * The chosen target: the remembered one while it exists, else the first; undefined while the
 * remembered one is read (so the first target's view does not start only to be replaced).
 */
export function useSelectedTarget(targets: Target[]): [Target | undefined, (id: string) => void] {
  const [chosen, select] = useRememberedChoice('overview.target', 'control-room.overview.target');
  if (chosen === undefined) return [undefined, select];
  return [targets.find((target) => target.id === chosen) ?? targets[0], select];
}

export function tabId(targetId: string): string {
  return `overview-tab-${targetId}`;
}
export function panelId(targetId: string): string {
  return `overview-panel-${targetId}`;
}

interface TargetPickerProps {
  targets: Target[];
  selected: Target;
  onSelect(id: string): void;
}

export function TargetPicker({ targets, selected, onSelect }: TargetPickerProps) {
  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const moves: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    let index = targets.findIndex((target) => target.id === selected.id);
    if (event.key in moves) index = (index + moves[event.key]! + targets.length) % targets.length;
    else if (event.key === 'Home') index = 0;
    else if (event.key === 'End') index = targets.length - 1;
    else return;
    event.preventDefault();
    const next = targets[index]!;
    onSelect(next.id);
    document.getElementById(tabId(next.id))?.focus();
  }

  return (
    <div className="target-tabs" role="tablist" aria-label="Targets" onKeyDown={onKeyDown}>
      {targets.map((target) => (
        <TargetTab
          key={target.id}
          target={target}
          selected={target.id === selected.id}
          onSelect={() => onSelect(target.id)}
        />
      ))}
    </div>
  );
}

function TargetTab({ target, selected, onSelect }: { target: Target; selected: boolean; onSelect(): void }) {
  const state = useConnectionState(target.id);
  // No ticking here: the tab only needs the tone; the header chip shows the countdown.
  const described = describeState(state, 0);
  const { tone } = described;
  const label = state.status === 'reconnecting' ? 'Reconnecting' : described.label;
  return (
    <button
      type="button"
      role="tab"
      id={tabId(target.id)}
      aria-selected={selected}
      aria-controls={panelId(target.id)}
      tabIndex={selected ? 0 : -1}
      className={`target-tab env-tab-${target.environment} ${selected ? 'is-selected' : ''}`}
      onClick={onSelect}
    >
      <EnvBadge environment={target.environment} />
      <span className="target-tab-text">
        <span className="target-tab-name">{target.name}</span>
        <span className="target-tab-kind">{SHORT_KIND_LABELS[target.kind]}</span>
      </span>
      <span className={`target-tab-dot conn-${tone}`} title={label} aria-label={label} role="img" />
    </button>
  );
}
