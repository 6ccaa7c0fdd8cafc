/**
 * What a pane shows and how: its sources and display options, as persisted per target.
 *
 * The schema is checked when a saved layout is read back, so a layout written by an older
 * version (or edited by hand) falls back to defaults field by field instead of breaking the view.
 */
import { z } from 'zod';
import { LOG_LEVELS, type LogLevel } from '../../../../shared/model/ops';
import { LogSourceKey } from '../../../../shared/model/logs';

export const SCROLLBACK_CHOICES = [5_000, 20_000, 50_000, 100_000] as const;
export const DEFAULT_SCROLLBACK = 20_000;
export const MAX_SOURCES = 12;

export const PaneConfig = z.object({
  sources: z.array(LogSourceKey).max(MAX_SOURCES).catch([]),
  timestamps: z.boolean().catch(true),
  wrap: z.boolean().catch(true),
  include: z.string().max(500).catch(''),
  exclude: z.string().max(500).catch(''),
  /** Include/exclude are regular expressions rather than plain text. */
  regex: z.boolean().catch(false),
  /** Levels shown; lines without a level count as info. */
  levels: z.array(z.enum(LOG_LEVELS)).catch([...LOG_LEVELS]),
  scrollback: z.number().int().min(1_000).max(200_000).catch(DEFAULT_SCROLLBACK),
});
export type PaneConfig = z.infer<typeof PaneConfig>;

export function defaultPaneConfig(sources: string[] = []): PaneConfig {
  return {
    sources,
    timestamps: true,
    wrap: true,
    include: '',
    exclude: '',
    regex: false,
    levels: [...LOG_LEVELS],
    scrollback: DEFAULT_SCROLLBACK,
  };
}

export interface LineFilter {
  /** Null when every line passes (the common case, kept cheap). */
  test: ((message: string, level: LogLevel | null) => boolean) | null;
  /** Why a pattern was not applied (an invalid regular expression), per field. */
  errors: { include?: string; exclude?: string };
}

/** The pane's include/exclude/level settings as one predicate over a line. */
export function compileFilter(config: Pick<PaneConfig, 'include' | 'exclude' | 'regex' | 'levels'>): LineFilter {
  const errors: LineFilter['errors'] = {};
  const include = compilePattern(config.include, config.regex, (message) => (errors.include = message));
  const exclude = compilePattern(config.exclude, config.regex, (message) => (errors.exclude = message));
  const allLevels = LOG_LEVELS.every((level) => config.levels.includes(level));
  const levels = new Set<LogLevel>(config.levels);
  if (!include && !exclude && allLevels) return { test: null, errors };
  return {
    errors,
    test: (message, level) =>
      (allLevels || levels.has(level ?? 'info')) && (!include || include(message)) && !(exclude && exclude(message)),
  };
}

function compilePattern(
  pattern: string,
  regex: boolean,
  onError: (message: string) => void,
): ((text: string) => boolean) | undefined {
  if (!pattern) return undefined;
  if (!regex) {
    // Plain text: case-insensitive unless the pattern has an upper-case letter (smart case).
    if (pattern !== pattern.toLowerCase()) return (text) => text.includes(pattern);
    return (text) => text.toLowerCase().includes(pattern);
  }
  try {
    const compiled = new RegExp(pattern, pattern !== pattern.toLowerCase() ? 'u' : 'iu');
    return (text) => compiled.test(text);
  } catch (error) {
    onError(
      error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : 'Not a valid pattern.',
    );
    return undefined;
  }
}
