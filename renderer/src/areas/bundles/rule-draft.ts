/**
 * The rule dialog's form as the contract's RedactionRuleDraft, or the sentence that says what
 * is missing (checked here too, so the dialog answers before main is asked).
 */
import type { RedactionRule, RedactionRuleDraft } from '../../../../shared/model/bundle';

export type RuleKind = RedactionRule['kind'];

export interface RuleForm {
  kind: RuleKind;
  name: string;
  pattern: string;
  value: string;
  path: string;
  enabled: boolean;
}

/** The draft the form describes, or the sentence that says what is missing. */
export function draftOf(form: RuleForm): { draft: RedactionRuleDraft } | { error: string } {
  const name = form.name.trim();
  if (!name) return { error: 'Give the rule a name.' };
  switch (form.kind) {
    case 'regex':
      if (!form.pattern) return { error: 'Give the pattern: a regex with a named group (?<mask>…).' };
      if (!form.pattern.includes('(?<mask>'))
        return { error: 'The pattern needs a named group (?<mask>…): the part to hide.' };
      return { draft: { kind: 'regex', name, pattern: form.pattern, enabled: form.enabled } };
    case 'literal':
      if (form.value.length < 4) return { error: 'Type the value to hide (at least 4 characters).' };
      return { draft: { kind: 'literal', name, value: form.value, enabled: form.enabled } };
    case 'json-path':
      if (!form.path.trim()) return { error: 'Give the JSON path of the field to hide, e.g. $.env.API_KEY.' };
      return { draft: { kind: 'json-path', name, path: form.path.trim(), enabled: form.enabled } };
  }
}
