import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src/http/security-headers.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Requests the router or Node's parser cannot take — a URL that does not decode, a multipart body
 * that ends early or lies about its parts — are answered in the API's own format, with the headers
 * every answer carries, and leave no file behind.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ work: false });
  await server.login();
});
afterAll(() => server?.close());

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes bytes on a socket as given (no client tidies them) and reads until the server closes. */
function rawExchange(request: string, options: { endAfterMs?: number } = {}): Promise<RawAnswer> {
  const url = new URL(server.url);
  return new Promise((resolve) => {
    let data = '';
    const socket = net.connect(Number(url.port), url.hostname, () => {
      socket.write(request);
      if (options.endAfterMs !== undefined) setTimeout(() => socket.end(), options.endAfterMs);
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      // A keep-alive answer does not close the socket: stop once the whole body is in.
      const [head, body] = data.split('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(head ?? '')?.[1];
      if (length !== undefined && body !== undefined && Buffer.byteLength(body) >= Number(length))
        socket.end();
    });
    const done = () => {
      const [head = '', ...rest] = data.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => {
          const at = line.indexOf(':');
          return [line.slice(0, at).toLowerCase(), line.slice(at + 1).trim()];
        }),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    };
    socket.on('close', done);
    socket.on('error', () => undefined);
  });
}

function expectOurAnswer(answer: RawAnswer, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(JSON.parse(answer.body)).toMatchObject({ code });
  expect(answer.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  expect(answer.headers['cache-control']).toBe('no-store');
}

const host = () => new URL(server.url).host;

describe('a URL that does not decode', () => {
  it.each([
    '/api/jobs/%E0%A4%A',
    '/%E0%A4%A',
    '/api/jobs/%',
    '/api/jobs/%ZZ/download',
    '/api/uploads/%C0%AF',
  ])('%s answers 400 in our format without echoing it', async (target) => {
    const answer = await rawExchange(
      `GET ${target} HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`,
    );
    expectOurAnswer(answer, 400, 'invalid_request');
    expect(answer.body).not.toContain(target);
    expect(answer.body).not.toMatch(/statusCode|Bad Request/);
  });
});

describe('a multipart job request that is cut short or malformed', () => {
  const boundary = 'vidvarBoundary';
  const field = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const fileHead = `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="ad.mp4"\r\nContent-Type: video/mp4\r\n\r\n`;
  const request = (body: string, declaredLength = Buffer.byteLength(body)) =>
    `POST /api/jobs HTTP/1.1\r\nHost: ${host()}\r\nCookie: ${server.cookie}\r\nConnection: close\r\n` +
    `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${declaredLength}\r\n\r\n${body}`;

  async function expectNothingLeft() {
    // The server may still be closing a file handle when the answer leaves.
    for (let i = 0; i < 20 && server.dataFiles().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(server.dataFiles()).toEqual([]);
    expect(await server.store.listJobs()).toEqual([]);
  }

  it('a body that ends without its closing boundary: 400, no file left', async () => {
    const body = field('count', '2') + fileHead + 'x'.repeat(64 * 1024);
    expectOurAnswer(await rawExchange(request(body)), 400, 'incomplete_upload');
    await expectNothingLeft();
  });

  it('cut at every kind of place in the form: 400 each time, no file left', async () => {
    const whole = `${field('count', '2')}${fileHead}${'y'.repeat(20_000)}\r\n--${boundary}--\r\n`;
    for (const cut of [
      10,
      40,
      90,
      field('count', '2').length + 30,
      whole.length - 20_010,
      whole.length - 8,
    ]) {
      const answer = await rawExchange(request(whole.slice(0, cut)));
      expect(answer.status, `cut at ${cut}`).toBe(400);
      // Wherever the cut falls, the client is told the same thing: send the files again.
      expect(JSON.parse(answer.body), `cut at ${cut}`).toMatchObject({ code: 'incomplete_upload' });
      expect(answer.headers['content-security-policy'], `cut at ${cut}`).toBe(CONTENT_SECURITY_POLICY);
      expect(answer.headers['cache-control'], `cut at ${cut}`).toBe('no-store');
    }
    await expectNothingLeft();
  });

  it('a connection that closes before the declared length: 400 in our format, no file left', async () => {
    const body = field('count', '2') + fileHead + 'z'.repeat(30_000);
    const answer = await rawExchange(request(body, Buffer.byteLength(body) + 50_000), { endAfterMs: 200 });
    expectOurAnswer(answer, 400, 'invalid_request');
    await expectNothingLeft();
  });

  it('a broken part header: 400, no file left', async () => {
    const body = `--${boundary}\r\nContent-Disposition form-data name=files\r\n\r\nabc\r\n--${boundary}--\r\n`;
    const answer = await rawExchange(request(body));
    expect(answer.status).toBe(400);
    expect(answer.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    await expectNothingLeft();
  });
});
