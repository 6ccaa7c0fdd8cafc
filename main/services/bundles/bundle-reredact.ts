/**
 * Re-redacts a bundle with today's rules and keychain secrets into a NEW file — the original is
 * never touched. Every file passes through the redactor again (NDJSON line by line, JSON as
 * documents, the embedded agent bundle unpacked and packed, text artifacts as text, binary
 * files copied); the new manifest sums both passes' reports and names the bundle it came from.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { BundleManifest, RedactionCount } from '../../../shared/model/bundle';
import { BundleWriter } from '../../../node/bundle/bundle-writer';
import type { OpenedBundle } from '../../../node/bundle/bundle-reader';
import type { Clock } from '../../../node/clock';
import type { BundleRedactor } from './bundle-redaction';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);
const TEXT_TYPES = /^(text\/|application\/(xml|x-yaml|yaml|javascript))/;

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A Control Room bundle re-redacted into `out` (a .tar.gz); returns the new manifest. */
export async function reRedactControlRoom(bundle: OpenedBundle, sourceFile: string, out: string, redactor: BundleRedactor, clock: Clock): Promise<BundleManifest> {
  const old = bundle.manifest!;
  const writer = await BundleWriter.open(out);
  try {
    const files: BundleManifest['files'] = [];
    for (const entry of old.files) {
      const { path, contentType } = entry;
      let written;
      if (contentType === 'application/x-ndjson' || path.endsWith('.ndjson')) {
        const lines = bundle.lines(path);
        const body = async function* (): AsyncGenerator<string> {
          let chunk = '';
          for await (const line of lines) {
            if (!line) continue;
            let redacted: string;
            try {
              redacted = JSON.stringify(redactor.json(path, JSON.parse(line)));
            } catch {
              redacted = redactor.text(path, line);
            }
            chunk += `${redacted}\n`;
            if (chunk.length > 64 * 1024) {
              yield chunk;
              chunk = '';
            }
          }
          if (chunk) yield chunk;
        };
        written = await writer.addFile(path, body(), { contentType });
      } else if (contentType === 'application/json' || path.endsWith('.json')) {
        written = await writer.addFile(path, `${JSON.stringify(redactor.json(path, await bundle.readJson(path)), null, 2)}\n`, { contentType });
      } else if (path.endsWith('.json.gz')) {
        const parsed: unknown = JSON.parse((await gunzipAsync(await bundle.readBytes(path))).toString('utf8'));
        written = await writer.addFile(path, await gzipAsync(Buffer.from(JSON.stringify(redactor.json(path, parsed)))), { contentType });
      } else if (TEXT_TYPES.test(contentType)) {
        written = await writer.addFile(path, redactor.text(path, await bundle.readText(path)), { contentType });
      } else {
        written = await writer.addFile(path, await bundle.readBytes(path), { contentType });
      }
      files.push({ ...entry, bytes: written.bytes, sha256: written.sha256, lines: written.lines });
    }
    const manifest: BundleManifest = {
      ...old,
      created: new Date(clock.now()).toISOString(),
      files,
      sections: old.sections.map((section) => {
        const mine = files.filter((file) => file.section === section.id);
        return { ...section, files: mine.length, bytes: mine.reduce((sum, file) => sum + file.bytes, 0) };
      }),
      redaction: mergeReports(old.redaction, redactor),
      redactedFrom: { created: old.created, sha256: await sha256OfFile(sourceFile) },
    };
    await writer.finish(manifest);
    return manifest;
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** An agent bundle (.json.gz) re-redacted into `out`, written beside it and renamed when whole. */
export async function reRedactAgent(bundle: OpenedBundle, out: string, redactor: BundleRedactor): Promise<void> {
  const body = await gzipAsync(Buffer.from(JSON.stringify(redactor.json('agent-bundle.json', bundle.agent))));
  const part = `${out}.part`;
  try {
    await writeFile(part, body);
    await rename(part, out);
  } catch (error) {
    await rm(part, { force: true });
    throw error;
  }
}

function mergeReports(old: BundleManifest['redaction'], redactor: BundleRedactor): BundleManifest['redaction'] {
  const counts = new Map<string, RedactionCount>();
  for (const count of [...old.counts, ...redactor.counts()]) {
    const key = `${count.rule}\u0000${count.file}`;
    const known = counts.get(key);
    counts.set(key, known ? { ...known, count: known.count + count.count } : { ...count });
  }
  const merged = [...counts.values()];
  return {
    rules: [...new Set([...old.rules, ...redactor.ruleNames()])],
    counts: merged,
    total: merged.reduce((sum, count) => sum + count.count, 0),
  };
}

