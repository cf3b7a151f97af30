/**
 * HTTP/1.1 keep-alive clients for the load process. Two implementations of one small interface:
 *
 * - `RawHttpClient` (default): a minimal HTTP/1.1 client on plain TCP sockets — one request at a time per
 *   connection, at most `maxSockets` connections, Content-Length and chunked bodies. It costs the load process a
 *   fraction of what node:http does per request, so on a 2-core machine the driver leaves the server its core.
 * - `NodeHttpClient`: node:http with a keep-alive Agent (maxSockets = concurrency); `BENCH_CLIENT=node-http`
 *   selects it, e.g. to check that the raw client does not change the server-side figures.
 *
 * Measured on this 2-core VM against a trivial server: node:http ≈ 140 µs of client CPU per request, enough to cap
 * one driver process near 7,000 requests/s, below the 8,000 reads/s target.
 */
import http from 'node:http';
import net from 'node:net';

export interface HttpResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpClient {
  request(method: string, path: string, body?: string, headers?: Record<string, string>): Promise<HttpResponse>;
  close(): void;
}

/**
 * `defaultHeaders` go on every request (the server asks a bearer token of every FHIR and admin request: issue 11),
 * under the request's own headers.
 */
export function createHttpClient(
  kind: 'raw' | 'node-http',
  origin: string,
  maxSockets: number,
  defaultHeaders: Record<string, string> = {},
): HttpClient {
  return kind === 'node-http'
    ? new NodeHttpClient(origin, maxSockets, defaultHeaders)
    : new RawHttpClient(origin, maxSockets, defaultHeaders);
}

const FHIR_JSON = 'application/fhir+json';

/** node:http with one keep-alive Agent: at most `maxSockets` connections, reused across requests. */
export class NodeHttpClient implements HttpClient {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(
    origin: string,
    maxSockets: number,
    private readonly defaultHeaders: Record<string, string> = {},
  ) {
    const url = new URL(origin);
    this.host = url.hostname;
    this.port = Number(url.port || 80);
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
  }

  request(method: string, path: string, body?: string, requestHeaders: Record<string, string> = {}): Promise<HttpResponse> {
    const headers = { ...this.defaultHeaders, ...requestHeaders };
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: this.host,
          port: this.port,
          method,
          path,
          headers: body === undefined ? headers : { 'content-type': FHIR_JSON, 'content-length': Buffer.byteLength(body), ...headers },
        },
        (res) => {
          res.setEncoding('utf8');
          let text = '';
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
          res.on('error', reject);
        },
      );
      req.on('socket', (socket) => socket.setNoDelay(true));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

interface Pending {
  resolve: (res: HttpResponse) => void;
  reject: (err: Error) => void;
  /** HEAD-like answers without a body: 204, 304, 1xx. */
  method: string;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const REQUEST_TIMEOUT_MS = 30_000;

/** One keep-alive connection carrying one request at a time. */
class Connection {
  readonly socket: net.Socket;
  private pending?: Pending;
  private buffer: Buffer = Buffer.alloc(0);
  closed = false;

  constructor(
    host: string,
    port: number,
    private readonly onClose: (conn: Connection) => void,
  ) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => this.fail(Object.assign(new Error('socket closed'), { code: 'ECONNCLOSED' })));
    // A request unanswered this long fails (and so does an idle connection, which the pool then skips).
    this.socket.setTimeout(REQUEST_TIMEOUT_MS, () => this.fail(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
  }

  send(raw: string, pending: Pending): void {
    this.pending = pending;
    this.socket.write(raw);
  }

  private fail(err: Error): void {
    if (!this.closed) {
      this.closed = true;
      this.socket.destroy();
      this.onClose(this);
    }
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(err);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const pending = this.pending;
    if (!pending) return;
    const headEnd = this.buffer.indexOf(CRLF2);
    if (headEnd < 0) return;
    const head = this.buffer.toString('latin1', 0, headEnd);
    const lines = head.split('\r\n');
    const status = Number(lines[0].slice(9, 12));
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i++) {
      const colon = lines[i].indexOf(':');
      if (colon > 0) headers[lines[i].slice(0, colon).trim().toLowerCase()] = lines[i].slice(colon + 1).trim();
    }
    const bodyStart = headEnd + 4;
    let body: string;
    let end: number;
    if (pending.method === 'HEAD' || status === 204 || status === 304 || status < 200) {
      body = '';
      end = bodyStart;
    } else if (headers['content-length'] !== undefined) {
      end = bodyStart + Number(headers['content-length']);
      if (this.buffer.length < end) return;
      body = this.buffer.toString('utf8', bodyStart, end);
    } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const chunked = parseChunked(this.buffer, bodyStart);
      if (!chunked) return;
      body = chunked.body;
      end = chunked.end;
    } else {
      this.fail(new Error('response without Content-Length or chunked encoding is not supported'));
      return;
    }
    this.buffer = end === this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(end);
    this.pending = undefined;
    if (/close/i.test(headers.connection ?? '')) {
      this.closed = true;
      this.socket.end();
      this.onClose(this);
    }
    pending.resolve({ status, headers, body });
  }
}

/** The body of a complete chunked message starting at `start`, or null while incomplete. */
function parseChunked(buf: Buffer, start: number): { body: string; end: number } | null {
  const parts: Buffer[] = [];
  let pos = start;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', pos, 'latin1');
    if (lineEnd < 0) return null;
    const size = parseInt(buf.toString('latin1', pos, lineEnd), 16);
    if (Number.isNaN(size)) throw new Error('bad chunk size');
    if (size === 0) {
      const trailerEnd = buf.indexOf(CRLF2, lineEnd);
      // No trailers: "0\r\n\r\n"; with trailers, the first empty line after them.
      const end = buf.subarray(lineEnd, lineEnd + 4).equals(CRLF2) ? lineEnd + 4 : trailerEnd < 0 ? -1 : trailerEnd + 4;
      if (end < 0) return null;
      return { body: Buffer.concat(parts).toString('utf8'), end };
    }
    const dataStart = lineEnd + 2;
    if (buf.length < dataStart + size + 2) return null;
    parts.push(buf.subarray(dataStart, dataStart + size));
    pos = dataStart + size + 2;
  }
}

/** Minimal keep-alive HTTP/1.1 client: a pool of up to `maxSockets` connections, one request each at a time. */
export class RawHttpClient implements HttpClient {
  private readonly host: string;
  private readonly port: number;
  private readonly hostHeader: string;
  private readonly idle: Connection[] = [];
  private readonly waiting: ((conn: Connection) => void)[] = [];
  private open = 0;
  private defaultHead = '';
  private readonly defaultEntries: [string, string][];
  private readonly defaultNames: Set<string>;

  constructor(
    origin: string,
    private readonly maxSockets: number,
    defaultHeaders: Record<string, string> = {},
  ) {
    const url = new URL(origin);
    this.host = url.hostname;
    this.port = Number(url.port || 80);
    this.hostHeader = url.host;
    // Serialised once: the same bytes on every request.
    for (const name in defaultHeaders) this.defaultHead += `${name}: ${defaultHeaders[name]}\r\n`;
    this.defaultEntries = Object.entries(defaultHeaders);
    this.defaultNames = new Set(this.defaultEntries.map(([name]) => name.toLowerCase()));
  }

  async request(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
    let raw = `${method} ${path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\n`;
    for (const name in headers) raw += `${name}: ${headers[name]}\r\n`;
    if (this.defaultHead) {
      // A request's own header of the same name wins (e.g. another principal's token).
      let own = false;
      for (const name in headers) if (this.defaultNames.has(name.toLowerCase())) own = true;
      if (!own) raw += this.defaultHead;
      else for (const [name, value] of this.defaultEntries) if (!(name in headers)) raw += `${name}: ${value}\r\n`;
    }
    if (body !== undefined) {
      if (!('content-type' in headers)) raw += `Content-Type: ${FHIR_JSON}\r\n`;
      raw += `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    } else raw += '\r\n';
    const conn = await this.acquire();
    try {
      return await new Promise<HttpResponse>((resolve, reject) => conn.send(raw, { resolve, reject, method }));
    } finally {
      this.release(conn);
    }
  }

  private acquire(): Promise<Connection> | Connection {
    let conn = this.idle.pop();
    while (conn?.closed) conn = this.idle.pop(); // closed by the server while idle
    if (conn) return conn;
    if (this.open < this.maxSockets) {
      this.open++;
      return new Connection(this.host, this.port, () => this.open--);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(conn: Connection): void {
    if (conn.closed) {
      // Let a waiter open a fresh connection in its place.
      const waiter = this.waiting.shift();
      if (waiter) {
        this.open++;
        waiter(new Connection(this.host, this.port, () => this.open--));
      }
      return;
    }
    const waiter = this.waiting.shift();
    if (waiter) waiter(conn);
    else this.idle.push(conn);
  }

  close(): void {
    for (const conn of this.idle.splice(0)) {
      conn.closed = true;
      conn.socket.destroy();
    }
  }
}
