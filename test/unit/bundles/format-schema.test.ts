/**
 * docs/bundle-manifest.schema.json is generated from the manifest's zod model; this fails while
 * the committed file is out of date (run `npx tsx scripts/bundle-schema.ts`).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MANIFEST_SCHEMA_FILE, manifestJsonSchema } from '../../../node/bundle/manifest-schema';

describe('the manifest JSON schema in docs/', () => {
  it('is what the model generates today', () => {
    const committed = readFileSync(MANIFEST_SCHEMA_FILE, 'utf8');
    expect(committed, 'docs/bundle-manifest.schema.json is out of date: run `npx tsx scripts/bundle-schema.ts`').toBe(manifestJsonSchema());
  });

  it('names the format, its version, and requires every file’s size and sha256', () => {
    const schema = JSON.parse(manifestJsonSchema()) as {
      properties: { format: { const: string }; formatVersion: { const: number }; files: { items: { required: string[]; properties: { sha256: { pattern: string } } } } };
      required: string[];
    };
    expect(schema.properties.format.const).toBe('control-room-bundle');
    expect(schema.properties.formatVersion.const).toBe(1);
    expect(schema.required).toEqual(expect.arrayContaining(['format', 'formatVersion', 'created', 'target', 'window', 'files', 'redaction', 'cut', 'notes']));
    expect(schema.properties.files.items.required).toEqual(expect.arrayContaining(['path', 'bytes', 'sha256', 'lines']));
    expect(schema.properties.files.items.properties.sha256.pattern).toBe('^[a-f0-9]{64}$');
  });
});
