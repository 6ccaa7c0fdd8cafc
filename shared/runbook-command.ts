/**
 * The command bar's parser: plain text → a runbook, a target and inputs, deterministically, from
 * the `commands` phrasings runbooks declare. NOT BUILT YET.
 *
 * Text that matches no phrasing returns the closest runbooks with an example each — never a guess
 * that runs.
 */
import type { CommandResult, RunbookSummary } from './model/runbook';
import type { Environment } from './model/target';

export type ParsedCommand =
  | { kind: 'parsed'; runbookId: string; targetId: string | null; inputs: Record<string, string> }
  | Extract<CommandResult, { kind: 'unrecognised' }>;

export function parseCommand(
  text: string,
  _runbooks: readonly Pick<RunbookSummary, 'id' | 'title' | 'commands' | 'inputs' | 'errors'>[],
  _targets: readonly { id: string; name: string; environment: Environment }[],
  _now: Date,
): ParsedCommand {
  return { kind: 'unrecognised', message: `"${text}" is not a command Control Room knows yet.`, suggestions: [] };
}
