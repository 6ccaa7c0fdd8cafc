/**
 * The `summary` step kind: a text made from earlier steps' outputs (its `template` arrives
 * filled by the executor), kept as an artifact; the executor puts the last summary step's text
 * at the top of the run's summary.
 */
import type { StepKind } from '../step-kind';

export const summaryStep: StepKind<'summary'> = {
  kind: 'summary',
  changes: () => false,
  repeatable: () => true,
  describe: (params) => `Write the summary (${params.artifact})`,
  run: (params, context) => {
    const text = params.template.trim();
    context.writeArtifact(params.artifact, params.artifact.endsWith('.md') ? 'text/markdown' : 'text/plain', `${text}\n`);
    for (const line of text.split('\n')) context.output(line);
    return Promise.resolve({ message: `Summary written to ${params.artifact}.`, outputs: { text } });
  },
};
