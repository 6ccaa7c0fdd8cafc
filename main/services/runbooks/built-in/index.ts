/** The runbooks that ship with the app, in the order the catalog lists them and commands try them. */
import { RunbookDefinition, type RunbookDefinitionInput } from '../../../../shared/model/runbook';
import { deployRunbook } from './deploy';
import { healthcheckRunbook } from './healthcheck';
import { incidentRunbook } from './incident';
import { restartRunbook } from './restart';
import { schemaSyncRunbook } from './schema-sync';
import { specRunbook } from './spec';

export const BUILT_IN_RUNBOOK_INPUTS: readonly RunbookDefinitionInput[] = [
  deployRunbook,
  restartRunbook,
  healthcheckRunbook,
  incidentRunbook,
  schemaSyncRunbook,
  specRunbook,
];

/** Parsed once: a built-in that does not match the schema is a bug caught by its test. */
export const BUILT_IN_RUNBOOKS: readonly RunbookDefinition[] = BUILT_IN_RUNBOOK_INPUTS.map((input) =>
  RunbookDefinition.parse(input),
);

export const BUILT_IN_IDS: ReadonlySet<string> = new Set(BUILT_IN_RUNBOOKS.map((runbook) => runbook.id));
