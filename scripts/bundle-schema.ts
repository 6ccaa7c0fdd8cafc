// `npx tsx scripts/bundle-schema.ts`: regenerates docs/bundle-manifest.schema.json from the zod
// model of the manifest (shared/model/bundle.ts). test/unit/bundles/format-schema.test.ts fails
// while the committed file is out of date.
import { writeFileSync } from 'node:fs';
import { MANIFEST_SCHEMA_FILE, manifestJsonSchema } from '../node/bundle/manifest-schema';

writeFileSync(MANIFEST_SCHEMA_FILE, manifestJsonSchema());
console.log(`wrote ${MANIFEST_SCHEMA_FILE}`);
