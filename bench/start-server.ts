/**
 * Starts Fhirline for a benchmark as a child process on a fresh temporary embedded store and free ports, waits for
 * `GET /readyz`, gets a `system/*.*` token, and stops it again (SIGTERM, then removes the store).
 *
 * The child is `node --import tsx server/main.ts`, not `npm start`: npm and the tsx CLI each add a parent process,
 * and the pid we sample for peak RSS and CPU time must be the server's own. Authorization is always on (issue 11),
 * so the child gets a bootstrap admin client with a random secret per run (BOOTSTRAP_CLIENT_ID/SECRET) and the
 * bench asks `/oauth2/token` for a token the way any Backend Services client with a secret does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onInterrupt } from './interrupt.ts';
import { peakRssMb } from './proc-stats.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface ServerOptions {
  /** LOG_LEVEL of the server; default `warn` so request logs cost nothing. */
  logLevel?: string;
  /** Extra node flags, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
  nodeArgs?: string[];
  /** Write the server's V8 CPU profile to this folder (BENCH_CPU_PROF). */
  cpuProfileDir?: string;
  /** Extra environment for the server. */
  env?: Record<string, string>;
  /** How long to wait for /readyz; default 60 s. */
  readyTimeoutMs?: number;
  /** Serve this existing store instead of a fresh temporary one; `stop()` then leaves it in place. */
  dataDir?: string;
  /**
   * Run `bench/bypass-server.ts` instead of `server/main.ts`: the same server with authorization bypassed in
   * process (the `auth` benchmark's baseline). No token is fetched then; `authorization` is undefined.
   */
  bypassAuthorization?: boolean;
}

/** The bench's admin client (client_credentials, client_secret_basic, `system/*.*`). */
export interface BenchClient {
  clientId: string;
  clientSecret: string;
}

export interface BenchServer {
  pid: number;
  /** e.g. http://127.0.0.1:40123 (no trailing slash); FHIR base is `${origin}/fhir`. */
  origin: string;
  port: number;
  /** The MLLP listener's port (127.0.0.1). */
  mllpPort: number;
  dataDir: string;
  /** Milliseconds from spawn to the first 200 from /readyz. */
  startupMs: number;
  /** `Bearer …` of a `system/*.*` token of the bootstrap client (undefined when authorization is bypassed). */
  authorization: string | undefined;
  /** `{ authorization }`, or `{}` when bypassed: spread into every request's headers. */
  authHeaders: Record<string, string>;
  /** The bootstrap admin client, for more tokens (e.g. other scopes). */
  bootstrapClient: BenchClient;
  /** Peak RSS of the server process so far, in MB (null off Linux). */
  peakRssMb(): number | null;
  /** SIGTERM, wait for exit (SIGKILL after 15 s), delete the store (unless it was given as `dataDir`). */
  stop(): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startServer(options: ServerOptions = {}): Promise<BenchServer> {
  const port = await freePort();
  let mllpPort = await freePort();
  while (mllpPort === port) mllpPort = await freePort();
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'fhirline-bench-'));
  const origin = `http://127.0.0.1:${port}`;
  const bootstrapClient: BenchClient = { clientId: 'bench-admin', clientSecret: randomBytes(24).toString('base64url') };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    BASE_URL: `${origin}/fhir`,
    MLLP_PORT: String(mllpPort),
    MLLP_HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: options.logLevel ?? 'warn',
    BOOTSTRAP_CLIENT_ID: bootstrapClient.clientId,
    BOOTSTRAP_CLIENT_SECRET: bootstrapClient.clientSecret,
    ...options.env,
  };
  delete env.MONGODB_URI; // always the embedded store

  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
      '--import',
      'tsx',
      options.bypassAuthorization ? 'bench/bypass-server.ts' : 'server/main.ts',
    ],
    {
      cwd: REPO_ROOT,
      env,
      // Never the bench's stdout: that carries the JSON report. Server output goes to stderr, prefixed.
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const tail: string[] = [];
  const forward = (chunk: Buffer) => {
    const text = chunk.toString();
    tail.push(text);
    if (tail.length > 50) tail.shift();
    process.stderr.write(text.replace(/^(?=.)/gm, '[server] '));
  };
  child.stdout!.on('data', forward);
  child.stderr!.on('data', forward);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));

  const removeStore = () => {
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const unregister = onInterrupt(() => {
    child.kill('SIGKILL');
    removeStore();
  });
  const cleanup = () => {
    unregister();
    removeStore();
  };
  let authorization: string | undefined;
  try {
    await waitReady(child, origin, exited, options.readyTimeoutMs ?? 60_000, tail);
    if (!options.bypassAuthorization) authorization = await clientToken(origin, bootstrapClient);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    cleanup();
    throw err;
  }
  const startupMs = Math.round(performance.now() - started);
  const pid = child.pid!;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      cleanup();
    })());
  return {
    pid,
    origin,
    port,
    mllpPort,
    dataDir,
    startupMs,
    authorization,
    authHeaders: authorization ? { authorization } : {},
    bootstrapClient,
    peakRssMb: () => peakRssMb(pid),
    stop,
  };
}

/** client_secret_basic (RFC 6749 §2.3.1: both parts form-urlencoded before base64). */
export function basicAuth({ clientId, clientSecret }: BenchClient): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

/** `Bearer …` for a client_credentials token of `client` (https://hl7.org/fhir/smart-app-launch/backend-services.html). */
export async function clientToken(origin: string, client: BenchClient, scope = 'system/*.*'): Promise<string> {
  const res = await fetch(`${origin}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: basicAuth(client), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`the bench client got no token (HTTP ${res.status}): ${text.slice(0, 500)}`);
  return `Bearer ${(JSON.parse(text) as { access_token: string }).access_token}`;
}

async function waitReady(
  child: ChildProcess,
  origin: string,
  exited: Promise<number | null>,
  timeoutMs: number,
  tail: string[],
): Promise<void> {
  let dead: number | null | undefined;
  void exited.then((code) => (dead = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (dead !== undefined) throw new Error(`server exited with ${dead} before it was ready:\n${tail.join('').slice(-4000)}`);
    try {
      const res = await fetch(`${origin}/readyz`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server (pid ${child.pid}) not ready after ${timeoutMs} ms`);
}
