/**
 * schema-sync: compares a target's database schema with another target's — migrations through
 * the ops API, or schema dumps from the database containers. Only ever plans and reads.
 */
import type { RunbookDefinitionInput } from '../../../../shared/model/runbook';

const DUMP = 'docker exec {{ inputs.container }} {{ inputs.dumpCommand }}';

export const schemaSyncRunbook: RunbookDefinitionInput = {
  id: 'schema-sync',
  title: 'Compare schemas',
  description:
    "Compares the database schema of two targets: applied migrations through the ops API, or a schema dump from each target's database container.",
  kind: 'schema-sync',
  risk: 'dry-run',
  inputs: [
    { name: 'other', label: 'Compare with', type: 'target', required: true },
    { name: 'container', label: 'Database container', help: 'The container to dump the schema in, on both targets.' },
    { name: 'dumpCommand', label: 'Dump command', default: 'pg_dump --schema-only' },
  ],
  commands: ['schema-sync {target} with {other}', 'compare schema {target} {other}'],
  phases: {
    preflight: [
      {
        id: 'migrations',
        kind: 'ops-api',
        if: '{{ target.isOpsApi }}',
        with: { action: 'compare-migrations', other: '{{ inputs.other }}' },
      },
      { id: 'here', kind: 'ssh', if: "{{ inputs.container || '' }}", with: { command: DUMP } },
      {
        id: 'there',
        kind: 'ssh',
        if: "{{ inputs.container || '' }}",
        target: '{{ inputs.other }}',
        with: { command: DUMP },
      },
    ],
    summarize: [
      {
        id: 'summary',
        kind: 'summary',
        with: {
          template:
            '# Schema of {{ target.name }} and {{ inputs.other }}\n\n' +
            "Migrations the same: {{ steps.migrations.same || 'not compared' }}; only on {{ target.name }}: {{ steps.migrations.onlyHere || 'none' }}; " +
            "only on {{ inputs.other }}: {{ steps.migrations.onlyOther || 'none' }}.\n\n" +
            "## {{ target.name }}\n\n```\n{{ steps.here.stdout || 'not dumped' }}\n```\n\n" +
            "## {{ inputs.other }}\n\n```\n{{ steps.there.stdout || 'not dumped' }}\n```\n",
        },
      },
    ],
  },
};
