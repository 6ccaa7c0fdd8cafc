/**
 * The command bar's state apart from its markup: the text, what main made of it, and the recent
 * commands (the last ten, kept with the app's settings) that Up and Down step through.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CommandResult } from '../../../../shared/model/runbook';
import { useApi, useConnectionStatus } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { pushRecent, readRecent, RECENT_COMMANDS_KEY, stepRecent } from './command-model';
import { useRunbooksApi } from './runbooks-api';

export type CommandState =
  | { state: 'idle' }
  | { state: 'asking'; text: string }
  | {
      state: 'answered';
      text: string;
      result: CommandResult;
      /** Counts answers, so a new one starts a fresh card. */ ask: number;
    }
  | { state: 'failed'; text: string; message: string };

export interface CommandView {
  text: string;
  setText(text: string): void;
  command: CommandState;
  /** Sends the text to `runbooks:command` and remembers it among the recent commands. */
  submit(): void;
  /** Up/Down: replaces the text with an older or newer recent command; false at either end. */
  browse(direction: 'older' | 'newer'): boolean;
  recent: string[];
}

export function useCommand(): CommandView {
  const api = useApi();
  const runbooks = useRunbooksApi();
  const { state: link } = useConnectionStatus();
  const [text, setTextState] = useState('');
  const [command, setCommand] = useState<CommandState>({ state: 'idle' });
  const [recent, setRecent] = useState<string[]>([]);
  // Where Up/Down stand, and what was typed before browsing (Down past the newest brings it back).
  const position = useRef(-1);
  const draft = useRef('');
  const asked = useRef(0);

  useEffect(() => {
    if (link !== 'open') return;
    let current = true;
    api.invoke('settings:get', { key: RECENT_COMMANDS_KEY }).then(
      ({ value }) => current && setRecent(readRecent(value)),
      () => undefined, // No recent commands to step through; the bar works without them.
    );
    return () => {
      current = false;
    };
  }, [api, link]);

  const setText = useCallback((value: string) => {
    position.current = -1;
    setTextState(value);
  }, []);

  const submit = useCallback(() => {
    const trimmed = text.trim();
    if (!trimmed) return;
    const ask = ++asked.current;
    setCommand({ state: 'asking', text: trimmed });
    const next = pushRecent(recent, trimmed);
    setRecent(next);
    position.current = -1;
    api.invoke('settings:set', { key: RECENT_COMMANDS_KEY, value: next }).catch(() => undefined);
    runbooks.command(trimmed).then(
      (result) => ask === asked.current && setCommand({ state: 'answered', text: trimmed, result, ask }),
      (caught: unknown) =>
        ask === asked.current && setCommand({ state: 'failed', text: trimmed, message: toApiError(caught).message }),
    );
  }, [api, runbooks, recent, text]);

  const browse = useCallback(
    (direction: 'older' | 'newer') => {
      const from = position.current;
      const to = stepRecent(from, direction, recent.length);
      if (to === from) return false;
      if (from === -1) draft.current = text;
      position.current = to;
      setTextState(to === -1 ? draft.current : (recent[to] ?? ''));
      return true;
    },
    [recent, text],
  );

  return { text, setText, command, submit, browse, recent };
}
