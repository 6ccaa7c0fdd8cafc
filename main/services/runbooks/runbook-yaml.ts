/**
 * YAML runbook text → a RunbookDefinition, or errors that each name the line they are on.
 *
 * The document is parsed with its node ranges kept, so a schema problem at `phases.action[0].with`
 * points at that node's line, and a problem with a missing field at its parent's. Beyond the
 * schema: step ids used twice, and templates naming inputs the runbook does not declare (a typo
 * there would only fail mid-run).
 */
import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { RISK_LEVELS, RunbookDefinition, type RiskLevel, type RunbookFileError } from '../../../shared/model/runbook';
import { templatePaths } from '../../../shared/runbook-template';
import { stepsInOrder } from './run-plan';

export interface ParsedRunbook {
  /** Set when the text is a valid runbook. */
  definition: RunbookDefinition | null;
  errors: RunbookFileError[];
  /** What a broken file can still be listed by: its fields as far as they read. */
  raw: {
    id: string | null;
    title: string | null;
    description: string | null;
    kind: string | null;
    risk: RiskLevel | null;
  };
  /** The line of the `id:` value (for errors about the id itself). */
  idLine: number | null;
}

type Position = { line: number | null; column: number | null };
const NOWHERE: Position = { line: null, column: null };

export function parseRunbookYaml(text: string): ParsedRunbook {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): Position => {
    if (offset === undefined) return NOWHERE;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  const raw = rawFields(doc);
  const idLine = at(nodeAt(doc, ['id'])?.range?.[0]).line;
  const result: ParsedRunbook = { definition: null, errors: [], raw, idLine };

  if (doc.errors.length) {
    result.errors = doc.errors.map((error) => ({ ...at(error.pos[0]), message: sentence(error.message) }));
    return result;
  }
  const value: unknown = doc.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    result.errors = [{ line: 1, column: 1, message: 'A runbook is a mapping with id, title, kind, risk and phases.' }];
    return result;
  }

  const parsed = RunbookDefinition.safeParse(value);
  if (!parsed.success) {
    result.errors = parsed.error.issues.map((issue) => ({
      ...at(issueOffset(doc, issue)),
      message: issueMessage(issue),
    }));
    return result;
  }

  const extra = [
    ...duplicateStepIds(parsed.data, doc, at),
    ...unknownInputs(parsed.data, doc, at),
    ...unknownSlots(parsed.data, doc, at),
  ];
  if (extra.length) {
    result.errors = extra;
    return result;
  }
  result.definition = parsed.data;
  return result;
}

/** Errors in line order, then the rest. */
export function sortErrors(errors: RunbookFileError[]): RunbookFileError[] {
  return [...errors].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0));
}

function rawFields(doc: Document): ParsedRunbook['raw'] {
  const text = (key: string): string | null => {
    const node = nodeAt(doc, [key]);
    return isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')
      ? String(node.value)
      : null;
  };
  const risk = text('risk');
  return {
    id: text('id'),
    title: text('title'),
    description: text('description'),
    kind: text('kind'),
    risk: risk !== null && (RISK_LEVELS as readonly string[]).includes(risk) ? (risk as RiskLevel) : null,
  };
}

function nodeAt(doc: Document, path: readonly PropertyKey[]): Node | null {
  try {
    const node: unknown = doc.getIn(path as unknown[], true);
    return isNode(node) ? node : null;
  } catch {
    return null;
  }
}

/** Where an issue is: its node, or for a missing or unknown key the nearest node that exists. */
function issueOffset(doc: Document, issue: z.core.$ZodIssue): number | undefined {
  const path = issue.path.filter(
    (part): part is string | number => typeof part === 'string' || typeof part === 'number',
  );
  if (issue.code === 'unrecognized_keys') {
    const map = path.length ? nodeAt(doc, path) : doc.contents;
    if (isMap(map)) {
      const pair = map.items.find(
        (item) => isPair(item) && isScalar(item.key) && issue.keys.includes(String(item.key.value)),
      );
      if (pair && isNode(pair.key)) return pair.key.range?.[0];
    }
  }
  for (let length = path.length; length >= 0; length -= 1) {
    const node = length === 0 ? doc.contents : nodeAt(doc, path.slice(0, length));
    if (node?.range) return node.range[0];
  }
  return undefined;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  const where = issue.path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)),
    '',
  );
  const message =
    issue.code === 'unrecognized_keys'
      ? `${issue.keys.join(', ')} ${issue.keys.length === 1 ? 'is' : 'are'} not a field here`
      : issue.message;
  return sentence(where ? `${where}: ${message}` : message);
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function duplicateStepIds(
  runbook: RunbookDefinition,
  doc: Document,
  at: (offset: number | undefined) => Position,
): RunbookFileError[] {
  const seen = new Set<string>();
  const errors: RunbookFileError[] = [];
  const places = new Map<string, number[]>();
  for (const phase of [...Object.keys(runbook.phases), 'rollback']) {
    const steps =
      phase === 'rollback' ? runbook.rollback : (runbook.phases[phase as keyof typeof runbook.phases] ?? []);
    steps.forEach((step, index) => {
      const path = phase === 'rollback' ? ['rollback', index, 'id'] : ['phases', phase, index, 'id'];
      const offset = nodeAt(doc, path)?.range?.[0];
      places.set(step.id, [...(places.get(step.id) ?? []), offset ?? -1]);
    });
  }
  for (const { step } of stepsInOrder(runbook)) {
    if (seen.has(step.id)) continue;
    seen.add(step.id);
    const offsets = places.get(step.id) ?? [];
    for (const offset of offsets.slice(1)) {
      errors.push({
        ...at(offset < 0 ? undefined : offset),
        message: `Step id ${step.id} is used twice — give each step its own id.`,
      });
    }
  }
  return errors;
}

/** What a template may read besides inputs and steps: the run scope's fields. */
const TARGET_FIELDS = new Set(['id', 'name', 'environment', 'kind', 'isDocker', 'isOpsApi']);
const RUN_FIELDS = new Set(['id', 'startedAt']);

/**
 * Templates in steps and `rollbackIf` that name nothing the run will have: an input the runbook
 * does not declare, a step it does not have, a target or run field that does not exist.
 */
function unknownInputs(
  runbook: RunbookDefinition,
  doc: Document,
  at: (offset: number | undefined) => Position,
): RunbookFileError[] {
  const declared = new Set(runbook.inputs.map((input) => input.name));
  const stepIds = new Set(stepsInOrder(runbook).map(({ step }) => step.id));
  const errors: RunbookFileError[] = [];
  const problem = (templatePath: string): string | null => {
    const [root, name] = templatePath.split('.');
    switch (root) {
      case 'inputs':
        if (name === undefined || declared.has(name)) return null;
        return `{{ ${templatePath} }} names no input of this runbook (${declared.size ? `it has ${[...declared].join(', ')}` : 'it has none'}) — declare it under inputs or fix the name.`;
      case 'steps':
        if (name === undefined || stepIds.has(name)) return null;
        return `{{ ${templatePath} }} names no step of this runbook — fix the step id.`;
      case 'target':
        if (name === undefined || TARGET_FIELDS.has(name)) return null;
        return `{{ ${templatePath} }}: a target has ${[...TARGET_FIELDS].join(', ')}.`;
      case 'run':
        if (name === undefined || RUN_FIELDS.has(name)) return null;
        return `{{ ${templatePath} }}: a run has ${[...RUN_FIELDS].join(', ')}.`;
      default:
        return `{{ ${templatePath} }} names nothing — templates read inputs., steps., target. or run.`;
    }
  };
  visit(doc, {
    Scalar(_key, node, path) {
      if (typeof node.value !== 'string') return;
      // Only what runs: steps and rollbackIf (a description may quote a template as an example).
      const top = path[2];
      const section = isPair(top) && isScalar(top.key) ? String(top.key.value) : null;
      if (section !== 'phases' && section !== 'rollback' && section !== 'rollbackIf') return;
      // Keys are scalars too; only values hold templates.
      const parent = path[path.length - 1];
      if (isPair(parent) && parent.key === node) return;
      for (const templatePath of templatePaths(node.value)) {
        const message = problem(templatePath);
        if (message) errors.push({ ...at(node.range?.[0]), message });
      }
    },
  });
  return errors;
}

/** Command phrasings' `{slots}`: the target, a time (with a time input) or a declared input. */
function unknownSlots(
  runbook: RunbookDefinition,
  doc: Document,
  at: (offset: number | undefined) => Position,
): RunbookFileError[] {
  const declared = new Set(runbook.inputs.map((input) => input.name));
  const hasTime = runbook.inputs.some((input) => input.type === 'time');
  const errors: RunbookFileError[] = [];
  runbook.commands.forEach((command, index) => {
    for (const [, slot] of command.matchAll(/\{([^{}\s]*)\}/g)) {
      if (slot === 'target' || declared.has(slot!) || (slot === 'time' && hasTime)) continue;
      errors.push({
        ...at(nodeAt(doc, ['commands', index])?.range?.[0]),
        message: `{${slot}} in "${command}" is neither {target}, {time} nor an input of this runbook — declare it under inputs or fix the name.`,
      });
    }
  });
  return errors;
}
