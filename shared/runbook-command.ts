/**
 * The command bar's parser: plain text → a runbook, a target and inputs, deterministically, from
 * the `commands` phrasings runbooks declare.
 *
 * Phrasings are tried in the order the runbooks come (built-ins first), each runbook's in its
 * own order; the first that matches the whole text wins. Words match themselves, ignoring case
 * (the small joining words to/on/at/in/with are interchangeable); `{target}` takes a target's
 * name — the longest that fits, several words allowed — or an environment with one target;
 * `{time}` takes 14:05 as today's time; `{name}` takes one word into the input `name` (a target
 * input takes a target's name like `{target}`).
 *
 * Text that matches no phrasing returns the closest runbooks with an example each — never a guess
 * that runs.
 */
import type { CommandResult, RunbookSummary } from './model/runbook';
import { ENVIRONMENTS, type Environment } from './model/target';

export type ParsedCommand =
  | {
      kind: 'parsed';
      runbookId: string;
      targetId: string | null;
      inputs: Record<string, string>;
      /** What the text left open, in sentences (several targets in an environment, an unknown target). */
      problems?: string[];
    }
  | Extract<CommandResult, { kind: 'unrecognised' }>;

type CommandRunbook = Pick<RunbookSummary, 'id' | 'title' | 'commands' | 'inputs' | 'errors'> & { kind?: string };
type CommandTarget = { id: string; name: string; environment: Environment };

const JOINING_WORDS = new Set(['to', 'on', 'at', 'in', 'with', 'against', 'for']);
const SLOT = /^\{([a-zA-Z][a-zA-Z0-9_]*)\}$/;
const CLOCK_TIME = /^(\d{1,2}):(\d{2})$/;

type Part = { word: string } | { slot: string };

interface TargetPick {
  length: number;
  target: CommandTarget | null;
  problem: string | null;
}

interface Match {
  targetId: string | null;
  inputs: Record<string, string>;
  problems: string[];
}

interface Context {
  tokens: string[];
  targets: readonly CommandTarget[];
  now: Date;
  runbook: CommandRunbook;
  /** The second pass: `{target}` may take one word that names no target (the plan asks). */
  lenient: boolean;
}

export function parseCommand(
  text: string,
  runbooks: readonly CommandRunbook[],
  targets: readonly CommandTarget[],
  now: Date,
): ParsedCommand {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  const usable = runbooks.filter((runbook) => runbook.errors.length === 0);
  if (tokens.length) {
    for (const lenient of [false, true]) {
      for (const runbook of usable) {
        for (const command of runbook.commands) {
          const match = matchParts(
            parseTemplate(command),
            0,
            0,
            { tokens, targets, now, runbook, lenient },
            { targetId: null, inputs: {}, problems: [] },
          );
          if (match) {
            return {
              kind: 'parsed',
              runbookId: runbook.id,
              targetId: match.targetId,
              inputs: match.inputs,
              ...(match.problems.length ? { problems: match.problems } : {}),
            };
          }
        }
      }
    }
  }
  return {
    kind: 'unrecognised',
    message: tokens.length
      ? `"${text.trim()}" is not a command Control Room knows — try one of these, or pick a runbook from the list.`
      : 'Type a command, like "healthcheck prod".',
    suggestions: suggest(tokens, usable, targets),
  };
}

function parseTemplate(command: string): Part[] {
  return command
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => {
      const slot = SLOT.exec(word);
      return slot ? { slot: slot[1]! } : { word: word.toLowerCase() };
    });
}

function wordMatches(template: string, token: string): boolean {
  const lower = token.toLowerCase();
  return lower === template || (JOINING_WORDS.has(template) && JOINING_WORDS.has(lower));
}

/** Backtracking over the parts: a slot that can take several words tries the longest first. */
function matchParts(parts: Part[], partIndex: number, tokenIndex: number, context: Context, acc: Match): Match | null {
  const { tokens } = context;
  if (partIndex === parts.length) return tokenIndex === tokens.length ? acc : null;
  if (tokenIndex >= tokens.length) return null;
  const part = parts[partIndex]!;
  const next = (length: number, change: (match: Match) => Match) =>
    matchParts(
      parts,
      partIndex + 1,
      tokenIndex + length,
      context,
      change({ targetId: acc.targetId, inputs: { ...acc.inputs }, problems: [...acc.problems] }),
    );

  if ('word' in part) return wordMatches(part.word, tokens[tokenIndex]!) ? next(1, (match) => match) : null;

  const input = context.runbook.inputs.find((candidate) => candidate.name === part.slot);
  if (part.slot === 'target') {
    for (const pick of targetPicks(context, tokenIndex, context.lenient)) {
      const found = next(pick.length, (match) => ({
        ...match,
        targetId: pick.target?.id ?? null,
        problems: pick.problem ? [...match.problems, pick.problem] : match.problems,
      }));
      if (found) return found;
    }
    return null;
  }

  if (part.slot === 'time' && !input) {
    const timeInput = context.runbook.inputs.find((candidate) => candidate.type === 'time');
    if (!timeInput) return null;
    const iso = clockTime(tokens[tokenIndex]!, context.now);
    return iso ? next(1, (match) => ({ ...match, inputs: { ...match.inputs, [timeInput.name]: iso } })) : null;
  }

  if (!input) return null; // a phrasing naming an input the runbook does not have never matches
  if (input.type === 'time') {
    const iso = clockTime(tokens[tokenIndex]!, context.now);
    return iso ? next(1, (match) => ({ ...match, inputs: { ...match.inputs, [input.name]: iso } })) : null;
  }
  if (input.type === 'target') {
    for (const pick of targetPicks(context, tokenIndex, false)) {
      if (!pick.target) continue;
      const found = next(pick.length, (match) => ({
        ...match,
        inputs: { ...match.inputs, [input.name]: pick.target!.name },
      }));
      if (found) return found;
    }
    // The second pass keeps the word as typed: the plan's input check names the targets there are.
    return context.lenient
      ? next(1, (match) => ({ ...match, inputs: { ...match.inputs, [input.name]: tokens[tokenIndex]! } }))
      : null;
  }
  return next(1, (match) => ({ ...match, inputs: { ...match.inputs, [input.name]: tokens[tokenIndex]! } }));
}

/** The ways the words from `start` can name a target, longest first. */
function targetPicks({ tokens, targets }: Context, start: number, lenient: boolean): TargetPick[] {
  const picks: TargetPick[] = [];
  for (let length = tokens.length - start; length >= 1; length -= 1) {
    const words = tokens
      .slice(start, start + length)
      .join(' ')
      .toLowerCase();
    const byName =
      targets.find((target) => normalise(target.name) === words) ??
      (length === 1 ? targets.find((target) => target.id === words) : undefined);
    if (byName) picks.push({ length, target: byName, problem: null });
  }
  const word = tokens[start]!.toLowerCase();
  if ((ENVIRONMENTS as readonly string[]).includes(word) && !picks.some((pick) => pick.length === 1)) {
    const inEnvironment = targets.filter((target) => target.environment === word);
    if (inEnvironment.length === 1) picks.push({ length: 1, target: inEnvironment[0]!, problem: null });
    else if (inEnvironment.length > 1) {
      picks.push({
        length: 1,
        target: null,
        problem: `Several targets are ${word}: ${inEnvironment.map((target) => target.name).join(', ')} — choose one.`,
      });
    } else {
      picks.push({
        length: 1,
        target: null,
        problem: `No target is ${word} — choose one, or add a ${word} target first.`,
      });
    }
  }
  if (lenient && !picks.length) {
    const names = targets.map((target) => target.name);
    picks.push({
      length: 1,
      target: null,
      problem: `There is no target called "${tokens[start]}" — choose one${names.length ? ` of ${names.join(', ')}` : ' (add a target first)'}.`,
    });
  }
  return picks;
}

function normalise(name: string): string {
  return name.trim().split(/\s+/).join(' ').toLowerCase();
}

/** 14:05 → that time today (local time), as ISO. */
function clockTime(token: string, now: Date): string | null {
  const match = CLOCK_TIME.exec(token);
  if (!match) return null;
  const [hours, minutes] = [Number(match[1]), Number(match[2])];
  if (hours > 23 || minutes > 59) return null;
  const day = new Date(now.getTime());
  day.setHours(hours, minutes, 0, 0);
  return day.toISOString();
}

// ——— Suggestions ———

function suggest(tokens: string[], runbooks: readonly CommandRunbook[], targets: readonly CommandTarget[]) {
  const words = tokens.map((token) => token.toLowerCase());
  const first = words[0] ?? '';
  const ranked = runbooks.map((runbook, order) => {
    const keywords = [
      runbook.id,
      ...(runbook.kind ? [runbook.kind] : []),
      ...runbook.commands
        .map((command) => parseTemplate(command)[0])
        .flatMap((part) => (part && 'word' in part ? [part.word] : [])),
    ];
    // The first word counts most; another word naming the runbook exactly still helps ("please deploy…").
    const firstDistance = Math.min(...keywords.map((keyword) => editDistance(first, keyword)));
    const anyExact = words.some((word) => keywords.includes(word));
    return { runbook, order, score: anyExact ? Math.min(firstDistance, 0.5) : firstDistance };
  });
  ranked.sort((a, b) => a.score - b.score || a.order - b.order);
  return ranked
    .slice(0, 3)
    .map(({ runbook }) => ({ runbookId: runbook.id, title: runbook.title, example: example(runbook, targets) }));
}

/** The runbook's first phrasing with a real target's name and placeholders for the rest. */
function example(runbook: CommandRunbook, targets: readonly CommandTarget[]): string {
  const command = runbook.commands[0];
  if (!command) return runbook.id;
  return parseTemplate(command)
    .map((part) => {
      if ('word' in part) return part.word;
      if (part.slot === 'target') return targets[0]?.name ?? 'prod';
      if (part.slot === 'time') return '14:05';
      return `<${part.slot}>`;
    })
    .join(' ');
}

export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_value, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
