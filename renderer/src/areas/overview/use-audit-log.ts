/**
 * A target's audit log, newest first, every kind of subject: `audit:list`, then each
 * `audit:recorded` for the target as it happens. Renewed after each reconnection of the window.
 */
import { useEffect, useState } from 'react';
import type { AuditEntry } from '../../../../shared/model/audit';
import { useApi, useConnectionStatus } from '../../api/api-context';
import { toApiError } from '../../api/open-api';

export const AUDIT_LIMIT = 200;

export type AuditState =
  { state: 'loading' } | { state: 'ready'; entries: AuditEntry[] } | { state: 'failed'; message: string };

export function useAuditLog(targetId: string): AuditState {
  const api = useApi();
  const { state: link, epoch } = useConnectionStatus();
  const [audit, setAudit] = useState<AuditState>({ state: 'loading' });

  useEffect(() => {
    if (link !== 'open') return;
    let current = true;
    let stop: (() => void) | undefined;
    // Entries recorded while the list is on its way; merged by id so none is shown twice.
    const early: AuditEntry[] = [];
    let listed = false;
    const add = (entries: AuditEntry[]) =>
      setAudit((previous) => {
        const known = previous.state === 'ready' ? previous.entries : [];
        const byId = new Map([...known, ...entries].map((entry) => [entry.id, entry]));
        const merged = [...byId.values()].sort((a, b) => b.id - a.id).slice(0, AUDIT_LIMIT);
        return { state: 'ready', entries: merged };
      });
    api
      .subscribe('audit:recorded', {}, (entry) => {
        if (!current || entry.target?.id !== targetId) return;
        if (listed) add([entry]);
        else early.push(entry);
      })
      .then((unsubscribe) => {
        if (current) stop = unsubscribe;
        else unsubscribe();
      })
      .catch(() => undefined); // The list still loads; the next reconnection subscribes again.
    api.invoke('audit:list', { targetId, limit: AUDIT_LIMIT }).then(
      (entries) => {
        if (!current) return;
        listed = true;
        add([...entries, ...early]);
      },
      (caught: unknown) => current && setAudit({ state: 'failed', message: toApiError(caught).message }),
    );
    return () => {
      current = false;
      stop?.();
    };
  }, [api, link, epoch, targetId]);

  return audit;
}
