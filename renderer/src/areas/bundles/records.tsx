/**
 * An opened bundle's sections drawn from their JSON: the context as a tree, lists of records as
 * tables (their plain fields as columns), runs with their events inline when the bundle has them.
 */
import type { ReactNode } from 'react';
import {
  cellText,
  columnsOf,
  eventsOf,
  isRecord,
  labelOf,
  recordLists,
  runSummaryOf,
  type JsonRecord,
} from './bundle-view-model';

/** At most this many rows per table; the rest are counted. */
const ROWS = 500;

/** A JSON value as a tree: objects and arrays fold, the first levels open. */
export function JsonTree({ value, label }: { value: unknown; label: string }) {
  return (
    <div className="json-tree mono" aria-label={label}>
      <JsonNode name={null} value={value} depth={0} />
    </div>
  );
}

function JsonNode({ name, value, depth }: { name: string | null; value: unknown; depth: number }): ReactNode {
  const key = name === null ? null : <span className="json-key">{name}: </span>;
  if (Array.isArray(value) || isRecord(value)) {
    const entries: [string, unknown][] = Array.isArray(value)
      ? value.map((item, index) => [String(index), item])
      : Object.entries(value);
    const summary = Array.isArray(value) ? `[${value.length}]` : `{${entries.length}}`;
    if (entries.length === 0) {
      return (
        <div className="json-leaf">
          {key}
          <span className="muted">{Array.isArray(value) ? '[]' : '{}'}</span>
        </div>
      );
    }
    return (
      <details className="json-branch" open={depth < 2}>
        <summary>
          {key}
          <span className="muted">{summary}</span>
        </summary>
        <div className="json-children">
          {entries.slice(0, ROWS).map(([childName, child]) => (
            <JsonNode key={childName} name={childName} value={child} depth={depth + 1} />
          ))}
          {entries.length > ROWS ? <div className="muted">… {entries.length - ROWS} more</div> : null}
        </div>
      </details>
    );
  }
  return (
    <div className="json-leaf">
      {key}
      <span className={`json-${value === null ? 'null' : typeof value}`}>
        {typeof value === 'string' ? JSON.stringify(value) : String(value)}
      </span>
    </div>
  );
}

/** A section's lists of records as tables, or its JSON when it holds no list. */
export function RecordsSection({
  value,
  name,
  preferred,
}: {
  value: unknown;
  name: string;
  preferred: readonly string[];
}) {
  const lists = recordLists(value, name);
  if (lists.length === 0) return <JsonTree value={value} label={name} />;
  return (
    <div className="records">
      {lists.map((list) => (
        <RecordsTable key={list.name} title={list.name} records={list.records} preferred={preferred} />
      ))}
    </div>
  );
}

function RecordsTable({
  title,
  records,
  preferred,
}: {
  title: string;
  records: readonly JsonRecord[];
  preferred: readonly string[];
}) {
  const columns = columnsOf(records, preferred);
  return (
    <section className="records-list" aria-label={title}>
      <h3>
        {title} <span className="muted">· {records.length.toLocaleString()}</span>
      </h3>
      {records.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <table className="bundles-table records-table">
          <thead className="table-heads">
            <tr>
              {columns.map((column) => (
                <th key={column} scope="col">
                  {labelOf(column)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {records.slice(0, ROWS).map((record, index) => (
              <tr key={index}>
                {columns.map((column) => (
                  <td key={column} className={cellClass(column, record[column])}>
                    {cellText(record[column], 160, column)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {records.length > ROWS ? <p className="muted">… and {records.length - ROWS} more in the bundle.</p> : null}
    </section>
  );
}

function cellClass(column: string, value: unknown): string {
  if (column !== 'status' && column !== 'outcome' && column !== 'severity') return '';
  const text = String(value).toLowerCase();
  if (/^(ok|succeeded|success|pass(ed)?)$/.test(text)) return 'tone-ok';
  if (/^(fail(ed)?|error|critical|timed-out)$/.test(text)) return 'tone-danger';
  if (/^(warn(ing)?|stale|canceled)$/.test(text)) return 'tone-warn';
  return '';
}

const RUN_COLUMNS = ['runbookTitle', 'status', 'startedAt', 'durationMs', 'startedBy', 'origin'];
const RESULT_COLUMNS = ['status', 'startedAt', 'durationMs', 'trigger', 'attempts', 'error'];

/**
 * Probe results, probe by probe (`{ probes: [{ probe, status, results }] }`): each probe's name,
 * kind and standing over a table of its results in the window. Another shape is shown as records.
 */
export function ProbesSection({ value }: { value: unknown }) {
  const probes = isRecord(value) && Array.isArray(value.probes) ? value.probes.filter(isRecord) : null;
  if (!probes || !probes.every((entry) => isRecord(entry.probe))) {
    return <RecordsSection value={value} name="Probe results" preferred={RESULT_COLUMNS} />;
  }
  return (
    <div className="records">
      {probes.map((entry, index) => {
        const probe = entry.probe as JsonRecord;
        const results = Array.isArray(entry.results) ? entry.results.filter(isRecord) : [];
        const name = cellText(probe.name);
        return (
          <section key={index} className="records-list" aria-label={`Probe ${name}`}>
            <h3>
              {name} <span className="muted">· {cellText(probe.kind)}</span>{' '}
              <span className={cellClass('status', entry.status)}>{cellText(entry.status)}</span>
            </h3>
            <RecordsTable
              title={`${results.length} results in the window`}
              records={results}
              preferred={RESULT_COLUMNS}
            />
          </section>
        );
      })}
    </div>
  );
}

/** Runs with their status; a run's events unfold under it when the bundle has them inline. */
export function RunsSection({ value }: { value: unknown }) {
  const [list] = recordLists(value, 'Runs');
  if (!list) return <JsonTree value={value} label="Runs" />;
  const runs = list.records.map((record) => ({ summary: runSummaryOf(record), events: eventsOf(record) }));
  const columns = columnsOf(
    runs.map((run) => run.summary),
    RUN_COLUMNS,
    6,
  );
  return (
    <section className="records-list" aria-label="Runs">
      <h3>
        Runs <span className="muted">· {runs.length}</span>
      </h3>
      <ul className="bundle-runs">
        {runs.slice(0, ROWS).map((run, index) => (
          <li key={index} className="bundle-run">
            <details>
              <summary>
                {columns.map((column) => (
                  <span key={column} className={`bundle-run-field ${cellClass(column, run.summary[column])}`}>
                    {cellText(run.summary[column], 80, column)}
                  </span>
                ))}
                <span className="muted">
                  {run.events.length > 0 ? `${run.events.length} events` : 'events not in the bundle'}
                </span>
              </summary>
              {run.events.length > 0 ? (
                <pre className="mono bundle-run-events">{run.events.slice(0, 2000).map(eventText).join('\n')}</pre>
              ) : null}
            </details>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** `10:02:03.120  info  verify/http  GET /health 200`: a run event as a line. */
function eventText(event: JsonRecord): string {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const at = text(event.at)
    .replace(/^\d{4}-\d{2}-\d{2}T/, '')
    .replace(/Z$/, '');
  const where = [text(event.phase), text(event.step)].filter(Boolean).join('/');
  const line = [at, text(event.level), where, text(event.message)].filter(Boolean).join('  ');
  return line || JSON.stringify(event);
}
