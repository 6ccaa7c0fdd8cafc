/**
 * The tabs across the top of an area (Integrations: probes and alerts; Runbooks: runs, runbooks,
 * secrets): links to the area's sections, the current one marked for screen readers and the eye.
 */
import '../styles/components.css';

export interface SectionTab {
  id: string;
  label: string;
  href: string;
}

export function SectionTabs({
  label,
  tabs,
  current,
}: {
  /** What the sections are ("Runbooks sections"), for the nav's name. */
  label: string;
  tabs: readonly SectionTab[];
  current: string;
}) {
  return (
    <nav className="section-tabs" aria-label={label}>
      <ul className="tab-row">
        {tabs.map((tab) => (
          <li key={tab.id}>
            <a href={tab.href} className="tab" aria-current={tab.id === current ? 'page' : undefined}>
              {tab.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
