/**
 * Two targets' migrations, compared from what their migrations commands print (the ops API's
 * `migrations.output`): each non-empty line is one entry — a migration's name with whatever
 * status the tool prints beside it ("up 20240101 create users", "[X] 0002_orders"), so a
 * migration applied on one side and pending on the other shows as a difference too.
 *
 * The diff artifact is unified-style (` ` both, `-` only here, `+` only there) in the order the
 * tools print, from a longest-common-subsequence walk, so it reads like `diff -u` of the outputs.
 */

/** The entries of a migrations output: trimmed, inner whitespace collapsed, blank lines and repeats dropped. */
export function migrationEntries(output: string): string[] {
  const seen = new Set<string>();
  const entries: string[] = [];
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trim().replace(/\s+/g, ' ');
    if (!line || seen.has(line)) continue;
    seen.add(line);
    entries.push(line);
  }
  return entries;
}

export interface MigrationsComparison {
  same: boolean;
  onlyHere: string[];
  onlyOther: string[];
}

export function compareMigrations(here: readonly string[], other: readonly string[]): MigrationsComparison {
  const inOther = new Set(other);
  const inHere = new Set(here);
  const onlyHere = here.filter((entry) => !inOther.has(entry));
  const onlyOther = other.filter((entry) => !inHere.has(entry));
  return { same: onlyHere.length === 0 && onlyOther.length === 0, onlyHere, onlyOther };
}

type DiffLine = { mark: ' ' | '-' | '+'; text: string };

/** The two lists merged in order, each line marked: both, only in `a` (-), only in `b` (+). */
export function diffLines(a: readonly string[], b: readonly string[]): DiffLine[] {
  // lengths[i][j]: the longest common subsequence of a[i..] and b[j..], in one flat array.
  const width = b.length + 1;
  const lengths = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i * width + j] = a[i] === b[j] ? lengths[(i + 1) * width + j + 1]! + 1 : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      lines.push({ mark: ' ', text: a[i]! });
      i++;
      j++;
    } else if (lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!) {
      lines.push({ mark: '-', text: a[i++]! });
    } else {
      lines.push({ mark: '+', text: b[j++]! });
    }
  }
  while (i < a.length) lines.push({ mark: '-', text: a[i++]! });
  while (j < b.length) lines.push({ mark: '+', text: b[j++]! });
  return lines;
}

/** The artifact's text: a header naming both sides (and their commands' exit codes), then every line marked. */
export function migrationsDiffText(
  here: { name: string; entries: readonly string[]; exitCode: number | null },
  other: { name: string; entries: readonly string[]; exitCode: number | null },
): string {
  const exit = (code: number | null) => (code === null ? 'did not exit' : `exit ${code}`);
  const header = [`--- ${here.name} migrations (${exit(here.exitCode)})`, `+++ ${other.name} migrations (${exit(other.exitCode)})`];
  const body = diffLines(here.entries, other.entries).map((line) => `${line.mark}${line.text}`);
  return `${[...header, ...body].join('\n')}\n`;
}
