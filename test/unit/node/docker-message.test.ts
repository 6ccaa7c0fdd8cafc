/**
 * node/docker/docker-message.ts on the errors dockerode really produces: a socket with nothing
 * behind it, and the "(HTTP code N) … - sentence" an engine's error reply becomes.
 */
import Docker from 'dockerode';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerMessage, dockerReason } from '../../../node/docker/docker-message';

describe('dockerMessage and dockerReason', () => {
  it('names the socket that could not be reached', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cr-docker-message-'));
    try {
      const socketPath = join(dir, 'nothing.sock');
      const error = await new Docker({ socketPath }).ping().then(
        () => null,
        (e: unknown) => e,
      );
      expect(dockerMessage(error)).toBe(`The Docker engine could not be reached at ${socketPath} (ENOENT).`);
      expect(dockerReason(error)).toMatch(/ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps the engine's own sentence: the parsed body's message, or the text after dockerode's prefix", () => {
    // How docker-modem builds the error for a 404 reply.
    const reply = Object.assign(new Error('(HTTP code 404) no such container - No such container: web-1 '), {
      statusCode: 404,
      json: { message: 'No such container: web-1' },
    });
    expect(dockerMessage(reply)).toBe('No such container: web-1');
    const withoutBody = Object.assign(new Error('(HTTP code 500) server error - conmon failed '), { statusCode: 500, json: null });
    expect(dockerReason(withoutBody)).toBe('conmon failed');
    expect(dockerReason(new Error('(HTTP code 502) unexpected - '))).toBe('the Docker engine did not answer');
    expect(dockerMessage(new Error('socket hang up'))).toBe('socket hang up');
    expect(dockerMessage('plain text')).toBe('plain text');
  });
});
