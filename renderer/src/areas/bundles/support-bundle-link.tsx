/**
 * The "Support bundle" button other areas show: a link to the new-bundle page with their target
 * and time window already filled in, so one click gets from "something is wrong here" to a
 * preview of what would be sent.
 */
import { AREA_ICONS } from '../../components/icons';
import { bundleHref, type BundleLink } from './bundle-link';

export function SupportBundleLink({
  link,
  description,
  className = 'button button-small',
}: {
  link: BundleLink;
  /** What the bundle would cover, as the tooltip and the accessible description. */
  description: string;
  className?: string;
}) {
  return (
    <a className={`${className} support-bundle-link`} href={bundleHref(link)} title={description}>
      {AREA_ICONS.bundles({ size: 13 })} Support bundle
    </a>
  );
}
