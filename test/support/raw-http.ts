/**
 * HTTP/1.1 requests written byte for byte over a socket, for tests that send what fetch and supertest refuse
 * to: non-ASCII or unescaped bytes in the target, 20,000-character URLs, oversized headers. One request per
 * connection (`Connection: close`); the answer is read to the end.
 */
import net from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** True when the server closed or reset the connection without an HTTP answer. */
  reset: boolean;
}

export interface RawRequest {
  method: string;
  /** The request target exactly as sent (it may hold any byte). */
  target: string | Buffer;
  headers?: [string, string][];
  body?: string | Buffer;
}

export function rawRequest(port: number, req: RawRequest, timeoutMs = 30_000): Promise<RawAnswer> {
  const body = req.body === undefined ? Buffer.alloc(0) : Buffer.from(req.body);
  const lines = [
    ...(req.headers ?? []).map(([k, v]) => `${k}: ${v}`),
    'Host: 127.0.0.1',
    'Connection: close',
    ...(req.body === undefined ? [] : [`Content-Length: ${body.length}`]),
  ];
  const head = Buffer.concat([
    Buffer.from(`${req.method} `),
    Buffer.from(req.target),
    Buffer.from(` HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`),
  ]);
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms to ${req.method} ${String(req.target).slice(0, 80)}`));
    }, timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined); // a reset ends as 'close' with what arrived
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parse(Buffer.concat(chunks)));
    });
    socket.write(Buffer.concat([head, body]), () => undefined);
  });
}

function parse(data: Buffer): RawAnswer {
  const text = data.toString('utf8');
  const end = text.indexOf('\r\n\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  if (end < 0 || !match) return { status: 0, headers: {}, body: text, reset: true };
  const headers: Record<string, string> = {};
  for (const line of text.slice(0, end).split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = text.slice(end + 4);
  if (headers['transfer-encoding'] === 'chunked') body = unchunk(body);
  return { status: Number(match[1]), headers, body, reset: false };
}

function unchunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}
