/** restart: restarts one service's container and waits for it to be healthy again. */
import type { RunbookDefinitionInput } from '../../../../shared/model/runbook';

export const restartRunbook: RunbookDefinitionInput = {
  id: 'restart',
  title: 'Restart a service',
  description: "Restarts a compose service's container (or a container by name) and waits until it is healthy again.",
  kind: 'restart',
  risk: 'changes-prod',
  inputs: [
    { name: 'service', label: 'Service', required: true, help: 'The compose service (or container name) to restart.' },
    {
      name: 'healthTimeout',
      label: 'Health wait',
      default: '2m',
      pattern: '\\d{1,6}(s|m|h)',
      help: 'How long it may take to be healthy again, like 90s or 5m.',
    },
  ],
  commands: ['restart {service} on {target}', 'restart {service} {target}'],
  phases: {
    preflight: [{ id: 'current', kind: 'docker', with: { action: 'inspect', service: '{{ inputs.service }}' } }],
    action: [{ id: 'restart', kind: 'docker', with: { action: 'restart', service: '{{ inputs.service }}' } }],
    verify: [
      {
        id: 'healthy',
        kind: 'wait',
        with: { until: 'container-healthy', service: '{{ inputs.service }}', timeout: '{{ inputs.healthTimeout }}' },
      },
    ],
    summarize: [
      {
        id: 'summary',
        kind: 'summary',
        with: {
          template:
            'Restarted {{ inputs.service }} on {{ target.name }} ({{ steps.current.image }}); it was started at {{ steps.current.startedAt }}. ' +
            "Now: {{ steps.healthy.last || 'not checked' }}.",
        },
      },
    ],
  },
};
