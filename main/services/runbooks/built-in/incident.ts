/**
 * incident: gathers what happened around a time — frontend errors, error log lines, probes —
 * into `triage.md`, and opens a GitHub issue with it when a repository is given.
 */
import type { RunbookDefinitionInput } from '../../../../shared/model/runbook';
import { GITHUB_API_INPUT } from './github-api-input';

const SINCE = '{{ inputs.at - inputs.window }}';
const UNTIL = '{{ inputs.at + inputs.window }}';

export const incidentRunbook: RunbookDefinitionInput = {
  id: 'incident',
  title: 'Incident triage',
  description:
    'Collects frontend errors, error log lines and probe results in a window around a time into a triage note (triage.md), and opens a GitHub issue with it when a repository is given. Never changes the target.',
  kind: 'incident',
  risk: 'docs-only',
  inputs: [
    {
      name: 'at',
      label: 'When',
      type: 'time',
      required: true,
      help: 'When it happened: 14:05 (today) or a full date and time.',
    },
    {
      name: 'window',
      label: 'Window',
      default: '15m',
      pattern: '\\d{1,4}[mh]',
      help: 'How far either side of the time to look, like 15m or 1h.',
    },
    { name: 'probeScope', label: 'Probe scope', help: 'Probes of this scope run and are recorded.' },
    { name: 'repo', label: 'Repository', help: 'owner/name: opens an issue there with the triage note.' },
    GITHUB_API_INPUT,
  ],
  commands: ['incident at {time} on {target}', 'incident {target}'],
  phases: {
    preflight: [
      {
        id: 'frontend',
        kind: 'ops-api',
        if: '{{ target.isOpsApi }}',
        continueOnError: true,
        with: { action: 'frontend-errors', since: SINCE },
      },
      {
        id: 'logs',
        kind: 'log-scan',
        continueOnError: true,
        with: { pattern: '(?i)\\b(error|fatal|panic)\\b', since: SINCE, until: UNTIL },
      },
      {
        id: 'probes',
        kind: 'probe',
        if: "{{ inputs.probeScope || '' }}",
        continueOnError: true,
        with: { scope: '{{ inputs.probeScope }}', require: 'any' },
      },
    ],
    action: [
      {
        id: 'triage',
        kind: 'summary',
        with: {
          artifact: 'triage.md',
          template:
            '# Incident on {{ target.name }} at {{ inputs.at }}\n\n' +
            'Window: {{ inputs.at - inputs.window }} to {{ inputs.at + inputs.window }}.\n\n' +
            "## Frontend errors\n\n{{ steps.frontend.total || 'none read' }} in total: {{ steps.frontend.groups || 'no groups' }}\n\n" +
            "## Error log lines\n\n{{ steps.logs.count || '0' }} lines; samples: {{ steps.logs.samples || 'none' }}\n\n" +
            "## Probes\n\n{{ steps.probes.results || 'not run' }}\n",
        },
      },
      {
        id: 'issue',
        kind: 'github',
        if: "{{ inputs.repo || '' }}",
        with: {
          action: 'open-issue',
          repo: '{{ inputs.repo }}',
          title: 'Incident on {{ target.name }} at {{ inputs.at }}',
          bodyArtifact: 'triage.md',
          labels: ['incident'],
          apiUrl: "{{ inputs.githubApi || '' }}",
        },
      },
    ],
    summarize: [
      {
        id: 'summary',
        kind: 'summary',
        with: {
          template:
            "Triage of {{ target.name }} around {{ inputs.at }} written to triage.md: {{ steps.logs.count || '0' }} error log lines, " +
            "{{ steps.frontend.total || '0' }} frontend errors. Issue: {{ steps.issue.url || 'not opened' }}.",
        },
      },
    ],
  },
};
