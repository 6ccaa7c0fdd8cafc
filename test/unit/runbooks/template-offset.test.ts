import { describe, expect, it } from 'vitest';
import { fillText, fillTemplates, templatePaths, TemplateError } from '../../../shared/runbook-template';

const scope = { inputs: { at: '2024-05-01T14:05:00.000Z', window: '15m', empty: '' }, steps: {} };

describe('time offsets in templates', () => {
  it('moves a time by a duration from an input or a literal', () => {
    expect(fillText('{{ inputs.at - inputs.window }}', scope)).toBe('2024-05-01T13:50:00.000Z');
    expect(fillText('{{ inputs.at + 1h }}', scope)).toBe('2024-05-01T15:05:00.000Z');
    expect(fillText('from {{ inputs.at - 30s }}', scope)).toBe('from 2024-05-01T14:04:30.000Z');
  });

  it('falls back like a path and fails like one when nothing is there', () => {
    expect(fillText("{{ inputs.empty - inputs.window || 'never' }}", scope)).toBe('never');
    expect(() => fillText('{{ inputs.empty - 5m }}', scope)).toThrow(TemplateError);
    expect(() => fillText('{{ inputs.window - 5m }}', scope)).toThrow(
      'needs a time and a duration like 15m (got "15m" and "5m").',
    );
  });

  it('names the operands as paths', () => {
    expect(templatePaths('{{ inputs.at - inputs.window }} {{ inputs.at + 15m }}')).toEqual([
      'inputs.at',
      'inputs.window',
      'inputs.at',
    ]);
  });
});

describe('lenient filling', () => {
  it('writes what names nothing yet as a placeholder and collects it', () => {
    const missing: string[] = [];
    expect(
      fillTemplates({ a: 'image {{ steps.current.image }}', b: ['{{ inputs.at - steps.x.y }}'] }, scope, {
        lenient: true,
        missing,
      }),
    ).toEqual({
      a: 'image ‹steps.current.image›',
      b: ['‹inputs.at - steps.x.y›'],
    });
    expect(missing).toEqual(['steps.current.image', 'inputs.at - steps.x.y']);
    expect(() => fillText('{{ steps.current.image }}', scope)).toThrow(TemplateError);
  });
});
