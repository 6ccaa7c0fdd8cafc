/**
 * schema-sync: compares a target's database schema with another target's — migrations through
 * the ops API, or schema dumps from the database containers. Only ever plans and reads.
 */
import type { RunbookDefinitionInput } from '../../../../shared/model/runbook';

const DUMP = 'docker exec {{ inputs.container }} {{ inputs.dumpCommand }}';

/**
 * A unified diff of the two dumps, made on the run's target's host (diff is on every Unix): both
 * texts go in through quoted here-documents, so nothing in them is expanded by the shell. diff
 * exits 1 when the files differ, which is the finding, not a failure; 2 is trouble.
 */
const END = 'CONTROL_ROOM_SCHEMA_END';
const DIFF = [
  'here=$(mktemp) there=$(mktemp)',
  `cat > "$here" <<'${END}'`,
  '{{ steps.here.stdout }}',
  END,
  `cat > "$there" <<'${END}'`,
  '{{ steps.there.stdout }}',
  END,
  'diff -u --label "{{ target.name }}" --label "{{ inputs.other }}" "$here" "$there"; status=$?',
  'rm -f "$here" "$there"',
  '[ "$status" -le 1 ]',
].join('\n');

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
      { id: 'diff', kind: 'ssh', if: "{{ inputs.container || '' }}", with: { command: DIFF } },
    ],
    summarize: [
      {
        id: 'schema-diff',
        kind: 'summary',
        if: "{{ inputs.container || '' }}",
        with: { artifact: 'schema.diff', template: "{{ steps.diff.stdout || 'The schemas are the same.' }}" },
      },
      {
        id: 'summary',
        kind: 'summary',
        with: {
          template:
            '# Schema of {{ target.name }} and {{ inputs.other }}\n\n' +
            "Migrations the same: {{ steps.migrations.same || 'not compared' }}; only on {{ target.name }}: {{ steps.migrations.onlyHere || 'none' }}; " +
            "only on {{ inputs.other }}: {{ steps.migrations.onlyOther || 'none' }}.\n\n" +
            "Schema dumps: {{ steps.diff.lines || '0' }} lines of differences in schema.diff.\n\n" +
            "## {{ target.name }}\n\n```\n{{ steps.here.stdout || 'not dumped' }}\n```\n\n" +
            "## {{ inputs.other }}\n\n```\n{{ steps.there.stdout || 'not dumped' }}\n```\n",
        },
      },
    ],
  },
};
