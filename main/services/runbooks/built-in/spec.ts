/** spec: writes what a target runs into a snapshot document and proposes it as a pull request. */
import type { RunbookDefinitionInput } from '../../../../shared/model/runbook';
import { GITHUB_API_INPUT } from './github-api-input';

export const specRunbook: RunbookDefinitionInput = {
  id: 'spec',
  title: 'Ops snapshot',
  description:
    "Reads what the target runs (the ops API context, or a service's container) into ops-snapshot.md and opens a pull request adding it to a repository.",
  kind: 'spec',
  risk: 'docs-only',
  inputs: [
    { name: 'repo', label: 'Repository', required: true, help: 'owner/name of the repository the snapshot goes to.' },
    { name: 'path', label: 'Path', default: 'docs/ops-snapshot.md' },
    { name: 'service', label: 'Service', help: 'A compose service (or container) to describe on Docker targets.' },
    GITHUB_API_INPUT,
  ],
  commands: ['spec {target}', 'snapshot {target}'],
  phases: {
    preflight: [
      { id: 'context', kind: 'ops-api', if: '{{ target.isOpsApi }}', with: { action: 'context' } },
      {
        id: 'container',
        kind: 'docker',
        if: "{{ inputs.service || '' }}",
        with: { action: 'inspect', service: '{{ inputs.service }}' },
      },
    ],
    action: [
      {
        id: 'snapshot',
        kind: 'summary',
        with: {
          artifact: 'ops-snapshot.md',
          template:
            '# {{ target.name }} ({{ target.environment }})\n\n' +
            "Deployed SHA: {{ steps.context.sha || 'unknown' }}\n\n" +
            "Image tags: {{ steps.context.imageTags || 'unknown' }}\n\n" +
            "{{ inputs.service || 'Service' }}: image {{ steps.container.image || 'not read' }}, revision {{ steps.container.revision || 'unknown' }}, " +
            "state {{ steps.container.state || 'not read' }}\n\n" +
            "## Context\n\n```json\n{{ steps.context.context || 'null' }}\n```\n",
        },
      },
      {
        id: 'pr',
        kind: 'github',
        with: {
          action: 'open-pull-request',
          repo: '{{ inputs.repo }}',
          title: 'Ops snapshot of {{ target.name }}',
          body: 'What {{ target.name }} runs, as Control Room read it (run {{ run.id }}).',
          files: [{ path: '{{ inputs.path }}', artifact: 'ops-snapshot.md' }],
          apiUrl: "{{ inputs.githubApi || '' }}",
        },
      },
    ],
    summarize: [
      {
        id: 'summary',
        kind: 'summary',
        with: { template: "Snapshot of {{ target.name }} proposed as {{ steps.pr.url || 'a pull request' }}." },
      },
    ],
  },
};
