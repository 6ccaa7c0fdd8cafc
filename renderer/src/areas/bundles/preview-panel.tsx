/**
 * What a bundle would hold, before it is written: each section with its estimated size and
 * lines (over its cap: what will be cut; unavailable: why), a checkbox to leave it out, the
 * total against the budget, the redaction counts per rule and file, and redacted sample lines.
 */
import type { BundlePreview, BundleSectionId, RedactionCount } from '../../../../shared/model/bundle';
import { formatBytes } from '../../components/format';

export function PreviewPanel({
  preview,
  exclude,
  busy,
  onToggle,
}: {
  preview: BundlePreview;
  exclude: readonly BundleSectionId[];
  busy: boolean;
  onToggle(id: BundleSectionId, included: boolean): void;
}) {
  const { estimate } = preview;
  const over = estimate.totalBytes > estimate.budgetBytes;
  const share = estimate.budgetBytes > 0 ? Math.min(1, estimate.totalBytes / estimate.budgetBytes) : 0;
  return (
    <section className="bundle-preview" aria-label="Preview" aria-busy={busy}>
      <header className="bundle-panel-header">
        <h2>Preview</h2>
        <span className="muted">{estimate.window.description}</span>
      </header>

      <table className="bundles-table preview-sections">
        <thead className="table-heads">
          <tr>
            <th scope="col">Include</th>
            <th scope="col">Section</th>
            <th scope="col" className="num">
              Estimated size
            </th>
            <th scope="col" className="num">
              Lines
            </th>
            <th scope="col">Notes</th>
          </tr>
        </thead>
        <tbody>
          {estimate.sections.map((section) => {
            const included = section.available && !exclude.includes(section.id);
            return (
              <tr key={section.id} className={`preview-section ${included ? '' : 'is-out'}`} data-section={section.id}>
                <td>
                  <input
                    type="checkbox"
                    className="checkbox"
                    aria-label={`Include ${section.label}`}
                    checked={included}
                    disabled={!section.available || busy}
                    onChange={(event) => onToggle(section.id, event.target.checked)}
                  />
                </td>
                <td>{section.label}</td>
                <td className="num">{section.available ? formatBytes(section.bytes) : '—'}</td>
                <td className="num">{section.lines === null ? '—' : section.lines.toLocaleString()}</td>
                <td className="preview-note">
                  {!section.available ? (
                    <span className="tone-muted">Unavailable: {section.note ?? 'it cannot be collected.'}</span>
                  ) : section.overCapBytes > 0 ? (
                    <span className="tone-warn" role="note">
                      Over its cap: {formatBytes(section.overCapBytes)} will be cut.
                    </span>
                  ) : exclude.includes(section.id) ? (
                    <span className="tone-muted">Left out.</span>
                  ) : (
                    (section.note ?? '')
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>

      <div className="budget" data-testid="bundle-budget">
        <span>
          Total <strong>{formatBytes(estimate.totalBytes)}</strong> of a {formatBytes(estimate.budgetBytes)} budget
          (before compression)
        </span>
        <div
          className={`budget-bar ${over ? 'is-over' : ''}`}
          role="meter"
          aria-label="Share of the budget"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(share * 100)}
        >
          <div style={{ width: `${share * 100}%` }} />
        </div>
        {over ? <span className="tone-warn">Over the budget: the largest sections will be cut to fit.</span> : null}
      </div>

      <RedactionReport counts={preview.counts} samples={preview.samples} />
      {preview.note ? <p className="muted small preview-dry-note">{preview.note}</p> : null}
    </section>
  );
}

/** Redaction counts per rule (with the files they were found in) and sample lines per rule. */
export function RedactionReport({
  counts,
  samples = [],
  title = 'Redactions',
}: {
  counts: readonly RedactionCount[];
  samples?: readonly { rule: string; file: string; line: string }[];
  title?: string;
}) {
  const rules = groupByRule(counts);
  const total = counts.reduce((sum, count) => sum + count.count, 0);
  return (
    <section className="redaction-report" aria-label={title}>
      <h3>
        {title} <span className="muted">· {total.toLocaleString()} in all</span>
      </h3>
      {rules.length === 0 ? (
        <p className="muted">Nothing matched a redaction rule.</p>
      ) : (
        <ul className="redaction-rules">
          {rules.map(({ rule, total: ruleTotal, files }) => {
            const ruleSamples = samples.filter((sample) => sample.rule === rule);
            return (
              <li key={rule} className="redaction-rule" data-rule={rule}>
                <div className="redaction-rule-head">
                  <span className="redaction-rule-name">{rule}</span>
                  <span className="redaction-count">{ruleTotal.toLocaleString()}</span>
                </div>
                <ul className="redaction-files">
                  {files.map((file) => (
                    <li key={file.file}>
                      <span className="mono">{file.file}</span>{' '}
                      <span className="muted">× {file.count.toLocaleString()}</span>
                    </li>
                  ))}
                </ul>
                {ruleSamples.length > 0 ? (
                  <details className="redaction-samples">
                    <summary>
                      {ruleSamples.length} redacted {ruleSamples.length === 1 ? 'line' : 'lines'}
                    </summary>
                    {ruleSamples.map((sample, index) => (
                      <pre key={index} className="mono redaction-sample">
                        <span className="muted">{sample.file}: </span>
                        {sample.line}
                      </pre>
                    ))}
                  </details>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function groupByRule(counts: readonly RedactionCount[]) {
  const byRule = new Map<string, { rule: string; total: number; files: { file: string; count: number }[] }>();
  for (const count of counts) {
    if (count.count === 0) continue;
    const entry = byRule.get(count.rule) ?? { rule: count.rule, total: 0, files: [] };
    entry.total += count.count;
    entry.files.push({ file: count.file, count: count.count });
    byRule.set(count.rule, entry);
  }
  return [...byRule.values()].sort((a, b) => b.total - a.total || a.rule.localeCompare(b.rule));
}
