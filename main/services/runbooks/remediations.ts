/**
 * A probe's remediation: the runbook (with its target and inputs) its drill-down offers to run
 * when it fails. NOT BUILT YET.
 */
import type { Remediation } from '../../../shared/model/runbook';
import type { Db } from '../store/database';

export class Remediations {
  constructor(readonly db: Db) {}

  list(): Remediation[] {
    return [];
  }
  get(_probeId: string): Remediation | null {
    return null;
  }
  set(_remediation: Remediation): Remediation {
    throw new Error('Remediations are not built yet.');
  }
  remove(_probeId: string): void {}
}
