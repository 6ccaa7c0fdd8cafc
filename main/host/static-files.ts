/**
 * Serves the built renderer from one folder, and nothing outside it.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

export async function serveStatic(root: string, urlPath: string, res: ServerResponse, headers: Record<string, string>) {
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath.split('?')[0]!);
  } catch {
    return send(res, 400, 'Bad path', headers);
  }
  if (relative === '/' || relative === '') relative = '/index.html';
  const file = normalize(join(root, relative));
  if (!file.startsWith(normalize(root) + sep) || relative.includes('\0')) return send(res, 404, 'Not found', headers);
  try {
    const info = await stat(file);
    if (!info.isFile()) return send(res, 404, 'Not found', headers);
    res.writeHead(200, {
      ...headers,
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Cache-Control': relative === '/index.html' ? 'no-store' : 'max-age=31536000, immutable',
    });
    createReadStream(file).pipe(res);
  } catch {
    const missingApp = relative === '/index.html';
    send(res, missingApp ? 503 : 404, missingApp ? 'The renderer is not built yet — run `npm run build`, then reload.' : 'Not found', headers);
  }
}

function send(res: ServerResponse, status: number, text: string, headers: Record<string, string>) {
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}
