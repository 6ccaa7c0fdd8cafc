/**
 * deploy: a new image tag for a compose service (pull + recreate), or a GitHub workflow for a
 * git ref; then health, probes and an error scan, rolling back to the recorded tag on failure.
 */
import type { RunbookDefinitionInput } from '../../../../shared/model/runbook';
import { GITHUB_API_INPUT } from './github-api-input';

export const deployRunbook: RunbookDefinitionInput = {
  id: 'deploy',
  title: 'Deploy',
  description:
    'Deploys a service: with a tag, pulls the image and recreates the container with it; with a git ref, dispatches the deploy workflow. Checks health, probes and new error lines afterwards and puts the previous tag back when that fails.',
  kind: 'deploy',
  risk: 'changes-prod',
  inputs: [
    { name: 'service', label: 'Service', required: true, help: 'The compose service (or container name) to deploy.' },
    { name: 'tag', label: 'Image tag', help: 'Recreates the service with this tag of its image.' },
    { name: 'ref', label: 'Git ref', help: 'Dispatches the deploy workflow for this ref instead.' },
    { name: 'repo', label: 'Repository', help: 'owner/name of the repository whose workflow deploys (with a ref).' },
    { name: 'workflow', label: 'Workflow', default: 'deploy.yml', help: 'The workflow file to dispatch (with a ref).' },
    { name: 'probeScope', label: 'Probe scope', help: 'Probes of this scope run before and after the change.' },
    { name: 'rollback', label: 'Roll back on failure', type: 'boolean', default: true },
    {
      name: 'healthTimeout',
      label: 'Health wait',
      default: '2m',
      pattern: '\\d{1,6}(s|m|h)',
      help: 'How long the service may take to be healthy again, like 90s or 5m.',
    },
    {
      name: 'maxErrorLines',
      label: 'Error lines allowed',
      type: 'number',
      default: 0,
      help: 'New log lines matching "error" allowed after the change.',
    },
    GITHUB_API_INPUT,
  ],
  commands: ['deploy {service} {tag} to {target}', 'deploy {service} to {target}', 'deploy {target}'],
  phases: {
    preflight: [
      {
        id: 'probes',
        kind: 'probe',
        if: "{{ inputs.probeScope || '' }}",
        with: { scope: '{{ inputs.probeScope }}', require: 'any' },
      },
      {
        id: 'current',
        kind: 'docker',
        if: '{{ target.isDocker }}',
        with: { action: 'inspect', service: '{{ inputs.service }}' },
      },
      { id: 'context', kind: 'ops-api', if: '{{ target.isOpsApi }}', with: { action: 'context', section: 'deploy' } },
    ],
    action: [
      {
        id: 'pull',
        kind: 'docker',
        if: "{{ inputs.tag || '' }}",
        with: { action: 'pull', service: '{{ inputs.service }}', tag: '{{ inputs.tag }}' },
      },
      {
        id: 'recreate',
        kind: 'docker',
        if: "{{ inputs.tag || '' }}",
        with: { action: 'recreate', service: '{{ inputs.service }}', tag: '{{ inputs.tag }}' },
      },
      {
        id: 'dispatch',
        kind: 'github',
        if: "{{ inputs.ref || '' }}",
        with: {
          action: 'dispatch-workflow',
          repo: '{{ inputs.repo }}',
          workflow: '{{ inputs.workflow }}',
          ref: '{{ inputs.ref }}',
          workflowInputs: { service: '{{ inputs.service }}', environment: '{{ target.environment }}' },
          apiUrl: "{{ inputs.githubApi || '' }}",
        },
      },
    ],
    verify: [
      {
        id: 'healthy',
        kind: 'wait',
        if: "{{ inputs.tag || '' }}",
        with: { until: 'container-healthy', service: '{{ inputs.service }}', timeout: '{{ inputs.healthTimeout }}' },
      },
      {
        id: 'probes-after',
        kind: 'probe',
        if: "{{ inputs.probeScope || '' }}",
        with: { scope: '{{ inputs.probeScope }}', require: 'ok' },
      },
      {
        id: 'errors',
        kind: 'log-scan',
        if: '{{ target.isDocker }}',
        with: {
          pattern: '(?i)\\berror\\b',
          // From the moment the container was recreated (the run's start for a workflow deploy): an
          // error the old version logged just before — often why one deploys — does not count.
          since: '{{ steps.recreate.startedAt || run.startedAt }}',
          sources: ['{{ inputs.service }}'],
          max: '{{ inputs.maxErrorLines }}',
        },
      },
    ],
    summarize: [
      {
        id: 'summary',
        kind: 'summary',
        with: {
          template:
            "Deployed {{ inputs.service }} on {{ target.name }}: {{ steps.current.image || steps.context.sha || 'unknown' }} → {{ steps.recreate.image || steps.dispatch.runUrl || 'unchanged' }}.\n" +
            "Health: {{ steps.healthy.last || 'not checked' }}. Error lines since the change: {{ steps.errors.count || '0' }}.",
        },
      },
    ],
  },
  rollback: [
    // Only after this run recreated the service: a workflow deploy is not undone from here.
    {
      id: 'restore',
      kind: 'docker',
      if: "{{ steps.recreate.previousImage || '' }}",
      with: { action: 'recreate', service: '{{ inputs.service }}', tag: '{{ steps.current.tag }}' },
    },
  ],
  rollbackIf: '{{ inputs.rollback }}',
};
