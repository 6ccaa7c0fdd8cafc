/**
 * A probe's remediation: the runbook (with its target and inputs) its drill-down offers to run
 * when it fails. One per probe.
 *
 * Whether the runbook and target exist is the caller's to say (the service passes a check that
 * asks the catalog and the targets), so a remediation never names a runbook that was never there.
 */
import { ApiError } from '../../../shared/errors';
import { Remediation } from '../../../shared/model/runbook';
import type { Db } from '../store/database';

interface Row {
  probe_id: string;
  runbook_id: string;
  target_id: string | null;
  inputs: string;
}

function fromRow(row: Row): Remediation {
  return {
    probeId: row.probe_id,
    runbookId: row.runbook_id,
    targetId: row.target_id,
    inputs: JSON.parse(row.inputs) as Record<string, string>,
  };
}

export class Remediations {
  constructor(
    readonly db: Db,
    /** Throws an ApiError when the remediation names a runbook or target that does not exist. */
    private readonly validate: (remediation: Remediation) => void = () => undefined,
  ) {}

  list(): Remediation[] {
    return (this.db.prepare('SELECT * FROM probe_remediations ORDER BY probe_id').all() as Row[]).map(fromRow);
  }

  get(probeId: string): Remediation | null {
    const row = this.db.prepare('SELECT * FROM probe_remediations WHERE probe_id = ?').get(probeId) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  set(remediation: Remediation): Remediation {
    const parsed = Remediation.safeParse(remediation);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ApiError(
        'invalid-request',
        `The remediation's ${issue.path.join('.') || 'value'} is not valid: ${issue.message}`,
      );
    }
    this.validate(parsed.data);
    const { probeId, runbookId, targetId, inputs } = parsed.data;
    this.db
      .prepare(
        `INSERT INTO probe_remediations (probe_id, runbook_id, target_id, inputs) VALUES (?, ?, ?, ?)
         ON CONFLICT (probe_id) DO UPDATE SET runbook_id = excluded.runbook_id, target_id = excluded.target_id, inputs = excluded.inputs`,
      )
      .run(probeId, runbookId, targetId, JSON.stringify(inputs));
    return parsed.data;
  }

  remove(probeId: string): void {
    this.db.prepare('DELETE FROM probe_remediations WHERE probe_id = ?').run(probeId);
  }
}
