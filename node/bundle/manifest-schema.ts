/**
 * The manifest's JSON schema, generated from the zod model (BundleManifest) so the documented
 * schema (docs/bundle-manifest.schema.json) cannot drift from what the reader accepts: a unit
 * test regenerates it and compares. Generated from the input side, what a reader accepts: fields
 * added by a later version pass, as z.object lets them. `npx tsx scripts/bundle-schema.ts`
 * rewrites the file.
 */
import { z } from 'zod';
import { BUNDLE_FORMAT_VERSION, BundleManifest } from '../../shared/model/bundle';

export const MANIFEST_SCHEMA_FILE = 'docs/bundle-manifest.schema.json';

export function manifestJsonSchema(): string {
  const generated = z.toJSONSchema(BundleManifest, { io: 'input', target: 'draft-2020-12' });
  const schema = {
    ...generated,
    $id: `https://control-room.local/schemas/bundle-manifest-v${BUNDLE_FORMAT_VERSION}.json`,
    title: 'Control Room support bundle manifest',
    description:
      'manifest.json, the last member of a Control Room support bundle (.tar.gz): the format version, the target and window, every file with its size and sha256, what was cut, and the redaction report (rule, file, count — never a value). See docs/bundles.md.',
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
