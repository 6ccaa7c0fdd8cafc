/** healthcheck: reads a target's state — probes, the ops-api context, a service's container. */
import type { RunbookDefinitionInput } from '../../../../shared/model/runbook';

export const healthcheckRunbook: RunbookDefinitionInput = {
  id: 'healthcheck',
  title: 'Health check',
  description:
    "Runs the target's probes of a scope, reads the ops API context or a service's container, and sums up what it found. Changes nothing.",
  kind: 'healthcheck',
  risk: 'read-only',
  inputs: [
    { name: 'probeScope', label: 'Probe scope', help: 'Probes of this scope run and are recorded.' },
    { name: 'service', label: 'Service', help: 'A compose service (or container) whose state is read.' },
  ],
  commands: ['healthcheck {target}', 'check {target}', 'health {target}'],
  phases: {
    verify: [
      {
        id: 'probes',
        kind: 'probe',
        if: "{{ inputs.probeScope || '' }}",
        with: { scope: '{{ inputs.probeScope }}', require: 'any' },
      },
      { id: 'context', kind: 'ops-api', if: '{{ target.isOpsApi }}', with: { action: 'context' } },
      {
        id: 'container',
        kind: 'docker',
        if: "{{ inputs.service || '' }}",
        with: { action: 'inspect', service: '{{ inputs.service }}' },
      },
    ],
    summarize: [
      {
        id: 'summary',
        kind: 'summary',
        with: {
          template:
            'Health of {{ target.name }} ({{ target.environment }}).\n' +
            "Probes: {{ steps.probes.count || 'none run' }} run, failing: {{ steps.probes.failing || 'none' }}.\n" +
            "Deployed SHA: {{ steps.context.sha || 'not read' }}.\n" +
            "{{ inputs.service || 'No service' }}: {{ steps.container.state || 'not read' }}, health {{ steps.container.health || 'not read' }}, image {{ steps.container.image || 'not read' }}.",
        },
      },
    ],
  },
};
