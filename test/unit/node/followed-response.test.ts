/**
 * The hand-read followed response (node/docker/followed-response.ts): HTTP framing cut at every
 * byte, chunk extensions and trailers, a sized body, an engine error, backpressure and abort.
 * The bytes come through a plain stream pair; the same code against real podman, locally and
 * through sshd, is tested in test/integration/logs/docker-logs-*.test.ts.
 */
import { Duplex, PassThrough, type Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { requestFollowed, type FollowedResponseError } from '../../../node/docker/followed-response';
import { dockerReason } from '../../../node/docker/docker-message';

/** A socket whose reads are `response` and whose writes are kept in `sent`. */
function socketPair() {
  const response = new PassThrough();
  const request = new PassThrough();
  const sent: Buffer[] = [];
  request.on('data', (chunk: Buffer) => sent.push(chunk));
  const socket = Duplex.from({ readable: response, writable: request });
  return { socket, response, sent: () => Buffer.concat(sent).toString('latin1') };
}

function chunked(parts: string[], trailer = ''): string {
  return parts.map((part) => `${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`).join('') + `0\r\n${trailer}\r\n`;
}

const HEAD =
  'HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nTransfer-Encoding: chunked\r\n\r\n';

async function readAll(body: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

async function bodyOf(pieces: Buffer[]): Promise<string> {
  const { socket, response } = socketPair();
  const pending = requestFollowed(socket, '/containers/web/logs?follow=true');
  for (const piece of pieces) response.write(piece);
  response.end();
  return readAll(await pending);
}

describe('requestFollowed', () => {
  it('writes one GET and hands back the de-chunked body, wherever the bytes are cut', async () => {
    const lines = [
      '2026-01-01T10:00:00Z first line\n',
      '2026-01-01T10:00:00Z ümlaut and → arrow\n',
      'x'.repeat(300) + '\n',
    ];
    const whole = Buffer.from(HEAD + chunked(lines));
    const expected = lines.join('');
    const { socket, response, sent } = socketPair();
    const pending = requestFollowed(socket, '/containers/web/logs?follow=true&tail=0');
    response.end(whole);
    expect(await readAll(await pending)).toBe(expected);
    expect(sent()).toMatch(
      /^GET \/containers\/web\/logs\?follow=true&tail=0 HTTP\/1\.1\r\nHost: docker\r\n[\s\S]*\r\n\r\n$/,
    );
    for (let cut = 1; cut < whole.length; cut++) {
      expect(await bodyOf([whole.subarray(0, cut), whole.subarray(cut)])).toBe(expected);
    }
    // A byte at a time.
    expect(await bodyOf([...whole].map((byte) => Buffer.from([byte])))).toBe(expected);
  });

  it('reads upper-case sizes, chunk extensions and trailers', async () => {
    const body = `1A;name=value\r\n${'a'.repeat(26)}\r\n3 ; x\r\nbcd\r\n0\r\nX-Trailer: yes\r\n\r\n`;
    expect(await bodyOf([Buffer.from(HEAD + body)])).toBe('a'.repeat(26) + 'bcd');
  });

  it('reads a body sized by Content-Length, and one that runs until the connection closes', async () => {
    expect(await bodyOf([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA')])).toBe('hello');
    expect(await bodyOf([Buffer.from('HTTP/1.0 200 OK\r\n\r\nraw'), Buffer.from(' bytes')])).toBe('raw bytes');
  });

  it('rejects an engine error with its status and sentence, as dockerode would', async () => {
    const { socket, response } = socketPair();
    const pending = requestFollowed(socket, '/containers/gone/logs');
    const json = JSON.stringify({
      cause: 'no such container',
      message: 'no container with name or ID "gone" found',
      response: 404,
    });
    response.end(
      `HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunked([json])}`,
    );
    const error = (await pending.catch((e: unknown) => e)) as FollowedResponseError;
    expect(error.statusCode).toBe(404);
    expect(dockerReason(error)).toBe('no container with name or ID "gone" found');
  });

  it('refuses what is not HTTP, and a connection that closes before answering', async () => {
    const garbled = socketPair();
    const first = requestFollowed(garbled.socket, '/x');
    garbled.response.write('SSH-2.0-OpenSSH\r\n\r\n');
    await expect(first).rejects.toThrow('The Docker engine sent something that is not an HTTP response.');
    const silent = socketPair();
    const second = requestFollowed(silent.socket, '/x');
    silent.response.end();
    await expect(second).rejects.toThrow('The Docker engine closed the connection before it answered.');
  });

  it('stops reading the socket while nobody reads the body, and reads on when asked', async () => {
    const { socket, response } = socketPair();
    const pending = requestFollowed(socket, '/x');
    response.write(HEAD);
    const body = await pending;
    const line = 'y'.repeat(1000) + '\n';
    // Well past the body's 64 KB buffer, without reading it.
    for (let i = 0; i < 200; i++) response.write(chunked([line]).replace(/0\r\n\r\n$/, ''));
    await new Promise((resolve) => setImmediate(resolve));
    expect(socket.isPaused()).toBe(true);
    let read = 0;
    body.on('data', (chunk: Buffer) => (read += chunk.length));
    await new Promise((resolve) => setImmediate(resolve));
    response.end('0\r\n\r\n');
    await new Promise((resolve) => body.once('end', resolve));
    expect(read).toBe(200 * line.length);
  });

  it("gives up with the signal's reason when aborted before the answer, closing the socket", async () => {
    const { socket } = socketPair();
    const abort = new AbortController();
    const pending = requestFollowed(socket, '/x', abort.signal);
    abort.abort(new Error('The follow stopped.'));
    await expect(pending).rejects.toThrow('The follow stopped.');
    expect(socket.destroyed).toBe(true);
  });

  it('closes the socket when the body is destroyed', async () => {
    const { socket, response } = socketPair();
    const pending = requestFollowed(socket, '/x');
    response.write(HEAD + '5\r\nhello\r\n');
    const body = await pending;
    body.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    expect(socket.destroyed).toBe(true);
  });
});
