/**
 * The pane draws main's `[masked secret]` marker black on yellow, then goes back to the line's
 * level colour, so the rest of an error line stays red; a line without the marker is drawn as before.
 */
import { describe, expect, it } from 'vitest';
import { formatLine, padLabels } from '../../../../renderer/src/areas/logs/line-format';
import type { StoredLine } from '../../../../renderer/src/areas/logs/line-store';
import { MASKED_SECRET } from '../../../../shared/log-mask';

const labels = padLabels(['api']);
const line = (message: string, level: StoredLine['level'] = null): StoredLine => ({ seq: 1, tsMs: Date.UTC(2024, 4, 1, 10, 2, 3, 45), source: 0, level, message });

describe('the masked-secret marker in a pane', () => {
  it('stands out in black on yellow, each time it occurs, and the level colour resumes after it', () => {
    expect(formatLine(line(`token=${MASKED_SECRET} and ${MASKED_SECRET}`), { timestamps: false, labels })).toBe(
      `\x1b[38;5;75mapi │\x1b[0m token=\x1b[30;43m${MASKED_SECRET}\x1b[0m and \x1b[30;43m${MASKED_SECRET}\x1b[0m\r\n`,
    );
    expect(formatLine(line(`ERROR auth ${MASKED_SECRET} refused`, 'error'), { timestamps: false, labels })).toBe(
      `\x1b[38;5;75mapi │\x1b[0m \x1b[91mERROR auth \x1b[30;43m${MASKED_SECRET}\x1b[0m\x1b[91m refused\x1b[0m\r\n`,
    );
  });

  it('counts no columns for its colours when a line is cut to the width', () => {
    const cut = formatLine(line(`${MASKED_SECRET} ${'x'.repeat(40)}`), { timestamps: false, labels, cutAt: 30 });
    // 30 columns less the label's 3 and " │ ": 24 visible, the marker's 15 among them.
    expect(cut).toBe(`\x1b[38;5;75mapi │\x1b[0m \x1b[30;43m${MASKED_SECRET}\x1b[0m ${'x'.repeat(7)}\x1b[0m\x1b[2m…\x1b[0m\r\n`);
  });
});
