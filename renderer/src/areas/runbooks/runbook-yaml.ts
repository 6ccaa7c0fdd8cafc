/**
 * The editor's text helpers: a starting runbook, the id line read and rewritten (a built-in saved
 * as a copy), and where a line starts and ends (an error's click moves the caret there).
 */

export const NEW_RUNBOOK_YAML = `id: my-runbook
title: My runbook
description: What it is for, in a sentence.
kind: healthcheck
risk: read-only
inputs: []
commands:
  - my runbook {target}
phases:
  preflight:
    - id: probes
      kind: probe
      with:
        scope: default
`;

const ID_LINE = /^id:[ \t]*["']?([^"'\s#]*)["']?[ \t]*(#.*)?$/m;

/** The top-level `id:` value, or undefined when there is none. */
export function readId(yaml: string): string | undefined {
  return ID_LINE.exec(yaml)?.[1] || undefined;
}

/** The YAML with its top-level id replaced (or added first). */
export function withId(yaml: string, id: string): string {
  return ID_LINE.test(yaml) ? yaml.replace(ID_LINE, `id: ${id}`) : `id: ${id}\n${yaml}`;
}

/** `deploy` → `deploy-copy`; ids stay within 64 characters. */
export function copyId(id: string): string {
  return `${id.slice(0, 59)}-copy`;
}

/** The [start, end) character offsets of a 1-based line (the last line when past the end). */
export function caretRangeOfLine(text: string, line: number): [number, number] {
  let start = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf('\n', start);
    if (next < 0) break;
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return [start, end < 0 ? text.length : end];
}
