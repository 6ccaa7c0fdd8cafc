/**
 * Importing probes from a Gatus `config.yaml` or Control Room's own probe file, and exporting
 * them to one: the YAML side of shared/gatus-import.ts and shared/probe-yaml.ts.
 *
 * Reading a file only plans (nothing is saved); `applyImport` saves the chosen drafts one by one
 * through the probes service, with their secrets going to the keychain as for any saved probe.
 * One that fails (its name was taken meanwhile) is reported and the rest still saved.
 */
import { LineCounter, parseDocument, stringify } from 'yaml';
import { ApiError } from '../../../shared/errors';
import { mapGatusConfig } from '../../../shared/gatus-import';
import type { Probe } from '../../../shared/model/probe';
import type {
  ImportApplyResult,
  ImportChoice,
  ImportedAlert,
  ProbeImportPlan,
} from '../../../shared/model/probe-import';
import { mapProbeFile, toProbeFile } from '../../../shared/probe-yaml';
import type { AlertsService } from '../alerts/alerts-service';
import type { ProbesService } from './probes-service';

export interface ProbeImportDeps {
  probes: ProbesService;
  /** Ids of the targets on this machine (for docker, ssh and ops-api probes). */
  targetIds(): string[];
  /** Where imported alert thresholds become the probe's alert rule. */
  alerts: Pick<AlertsService, 'setRule'>;
}

/** The plan for a Gatus configuration's text. */
export function planGatusImport(deps: ProbeImportDeps, text: string): ProbeImportPlan {
  return mapGatusConfig(readYaml(text), { existingNames: existingNames(deps) });
}

/** The plan for a Control Room probe file's text. */
export function planYamlImport(deps: ProbeImportDeps, text: string): ProbeImportPlan {
  return mapProbeFile(readYaml(text), { existingNames: existingNames(deps), targetIds: deps.targetIds() });
}

/** The probes with these ids (all, without ids) as a Control Room probe file. */
export function exportYaml(deps: ProbeImportDeps, ids?: readonly string[]): { text: string; count: number } {
  const all = deps.probes.list().map((summary) => summary.probe);
  const chosen: Probe[] = ids ? ids.map((id) => all.find((probe) => probe.id === id) ?? deps.probes.get(id)) : all;
  const header =
    '# Control Room probes. Secret values are not in this file: each probe lists the keychain secrets it needs.\n';
  return { text: header + stringify(toProbeFile(chosen), { lineWidth: 0 }), count: chosen.length };
}

/** Saves the chosen drafts with their secrets; reports each one saved or refused. */
export async function applyImport(deps: ProbeImportDeps, choices: readonly ImportChoice[]): Promise<ImportApplyResult> {
  const result: ImportApplyResult = { created: [], failed: [], alerts: [], missingSecrets: [] };
  for (const choice of choices) {
    try {
      const probe = await deps.probes.create({ ...choice.draft, secrets: choice.secrets });
      result.created.push({ id: probe.id, name: probe.name });
      for (const [slot, status] of Object.entries(probe.secrets))
        if (!status.present) result.missingSecrets.push(`${probe.name}: ${slot}`);
      if (choice.alert) result.alerts.push(applyAlert(deps, probe, choice.alert));
    } catch (error) {
      result.failed.push({ name: choice.draft.name, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}

/** Makes the thresholds the probe's alert rule; says what was done, or why it could not be. */
function applyAlert(deps: ProbeImportDeps, probe: Probe, alert: ImportedAlert): string {
  const failures = Math.min(100, alert.failureThreshold);
  const successes = Math.min(100, alert.successThreshold);
  const what = `alert after ${failures} failures, resolve after ${successes} successes`;
  try {
    deps.alerts.setRule(
      { kind: 'probe', probeId: probe.id },
      { failuresToAlert: failures, successesToResolve: successes },
    );
  } catch (error) {
    return `${probe.name}: ${what} — noted, not applied (${error instanceof Error ? error.message.replace(/\.$/, '') : String(error)}); set it under Alerts.`;
  }
  const via = alert.channels.length
    ? ` Gatus sent these via ${alert.channels.join(', ')}: set up those channels under Alerts.`
    : '';
  return `${probe.name}: ${what} — applied as its alert rule.${via}`;
}

function existingNames(deps: ProbeImportDeps): string[] {
  return deps.probes.list().map((summary) => summary.probe.name);
}

/** The parsed YAML, or an error naming the line of the first mistake. */
function readYaml(text: string): unknown {
  const lines = new LineCounter();
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: false, lineCounter: lines });
  const first = document.errors[0];
  if (first) {
    const line = lines.linePos(first.pos[0]).line;
    throw new ApiError(
      'invalid-request',
      `The file is not valid YAML${line ? ` (line ${line})` : ''}: ${first.message.split('\n')[0]!.replace(/\.$/, '')} — fix it and open it again.`,
    );
  }
  return document.toJS({ maxAliasCount: 1000 });
}

/** What the import needs of the services. */
export function probeImportDeps(services: {
  probes: ProbesService;
  targets: { list(): { id: string }[] };
  alerts: Pick<AlertsService, 'setRule'>;
}): ProbeImportDeps {
  return {
    probes: services.probes,
    targetIds: () => services.targets.list().map((target) => target.id),
    alerts: services.alerts,
  };
}
