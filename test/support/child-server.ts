/**
 * A real Fhirline process for end-to-end tests: `node --import tsx server/main.ts` as a child process on free
 * ports and a data directory of the test's choosing, so a test can SIGKILL it (crash), SIGTERM it (graceful
 * shutdown) and start another process on the same data.
 *
 *   const dataDir = makeTempDataDir();
 *   const child = await startChildServer({ dataDir });
 *   await fetch(`${child.baseUrl}/Patient/123`);
 *   await child.kill9();            // or: const { code } = await child.stop();
 *   const again = await startChildServer({ dataDir });
 *
 * Every child still running when the test process exits is SIGKILLed (see `killAllChildServers`), so a failed
 * test never leaves a server behind; tests should still stop theirs in an `after` hook.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adminAuthorization, rememberAuthorization, TEST_ADMIN_ENV } from './tokens.ts';

/** The repository root (the child's working directory). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ChildServerOptions {
  /** The embedded store's directory (DATA_DIR); default: a new temp directory, removed by `cleanup()`. */
  dataDir?: string;
  /** Extra environment for the child (overrides the defaults below). */
  env?: Record<string, string>;
  /**
   * Leave BOOTSTRAP_CLIENT_ID/SECRET unset (the shipped defaults: the server writes bootstrap-credentials.json) and
   * get no token. By default the child creates the test admin client (tokens.ts) and `authorization` holds its token.
   */
  withoutTestAdmin?: boolean;
  /** How long to wait for `GET /readyz` to answer 200. Default 30 s. */
  readyTimeoutMs?: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Milliseconds from the signal (stop/kill9) to the process's exit. */
  ms: number;
}

/** Free TCP ports on 127.0.0.1, found by binding port 0 (all held at once, so they are distinct). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((ok, fail) => {
        server.once('error', fail);
        server.listen(0, '127.0.0.1', () => ok());
      });
      ports.push((server.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((ok) => s.close(() => ok()))));
  }
}

export function makeTempDataDir(prefix = 'fhirline-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

const running = new Set<ChildServer>();

/** SIGKILLs every child server this process started that is still running (synchronous: safe in 'exit'). */
export function killAllChildServers(): void {
  for (const child of running) {
    try {
      child.process.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.once('exit', killAllChildServers);

export class ChildServer {
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitInfo?: { code: number | null; signal: NodeJS.Signals | null };
  /** `Bearer <token>` of the test admin client (unless `withoutTestAdmin`); fhir-requests.ts sends it to this child. */
  authorization = '';
  private log = '';

  constructor(
    /** The spawned `node` process. */
    readonly process: ChildProcess,
    readonly port: number,
    readonly mllpPort: number,
    readonly dataDir: string,
    private readonly ownsDataDir: boolean,
  ) {
    running.add(this);
    this.exited = new Promise((ok) => {
      this.process.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        running.delete(this);
        ok(this.exitInfo);
      });
    });
    const keep = (chunk: Buffer) => {
      this.log = (this.log + chunk.toString('utf8')).slice(-64 * 1024);
    };
    this.process.stdout?.on('data', keep);
    this.process.stderr?.on('data', keep);
  }

  /** `http://127.0.0.1:{port}` */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The FHIR base, `http://127.0.0.1:{port}/fhir` (also the child's BASE_URL, so Bundle links point here). */
  get baseUrl(): string {
    return `${this.origin}/fhir`;
  }

  get pid(): number {
    return this.process.pid!;
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** The last 64 KiB of the child's stdout and stderr, for failure messages. */
  output(): string {
    return this.log;
  }

  /** SIGKILL (a crash: no handler runs) and wait for the exit. */
  async kill9(): Promise<ExitInfo> {
    return this.signal('SIGKILL', 10_000);
  }

  /**
   * SIGTERM (graceful shutdown) and wait for the exit; after `timeoutMs` the child is SIGKILLed and this rejects.
   */
  async stop(timeoutMs = 15_000): Promise<ExitInfo> {
    return this.signal('SIGTERM', timeoutMs);
  }

  /** Stops the child if it still runs (SIGKILL) and removes the data directory if this helper created it. */
  async cleanup(): Promise<void> {
    if (!this.hasExited) await this.kill9().catch(() => undefined);
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async signal(signal: NodeJS.Signals, timeoutMs: number): Promise<ExitInfo> {
    const start = Date.now();
    if (this.exitInfo) return { ...this.exitInfo, ms: 0 };
    this.process.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((ok) => {
      timer = setTimeout(() => ok('timeout'), timeoutMs);
    });
    const result = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.process.kill('SIGKILL');
      await this.exited;
      throw new Error(`child server ${this.pid} did not exit within ${timeoutMs} ms of ${signal}; output:\n${this.output()}`);
    }
    return { ...result, ms: Date.now() - start };
  }
}

/** Spawns `node --import tsx server/main.ts` and resolves once `GET /readyz` answers 200. */
export async function startChildServer(options: ChildServerOptions = {}): Promise<ChildServer> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? makeTempDataDir();
  // A port found free can be taken by someone else before the child binds it: try again with new ports.
  for (let attempt = 1; ; attempt++) {
    const [port, mllpPort] = await freePorts(2);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      BASE_URL: `http://127.0.0.1:${port}/fhir`,
      MLLP_PORT: String(mllpPort),
      MLLP_HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...(options.withoutTestAdmin ? {} : TEST_ADMIN_ENV),
      ...options.env,
    };
    delete env.MONGODB_URI;
    if (options.env?.MONGODB_URI) env.MONGODB_URI = options.env.MONGODB_URI;
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = new ChildServer(proc, port, mllpPort, dataDir, ownsDataDir);
    try {
      await waitReady(child, options.readyTimeoutMs ?? 30_000);
      // A test that names its own bootstrap client gets its tokens itself.
      if (!options.withoutTestAdmin && options.env?.BOOTSTRAP_CLIENT_ID === undefined) {
        child.authorization = await adminAuthorization(child.origin);
        rememberAuthorization(child.origin, child.authorization);
      }
      return child;
    } catch (err) {
      await child.kill9().catch(() => undefined);
      if (attempt < 3 && /EADDRINUSE/.test(child.output())) continue;
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
      throw err;
    }
  }
}

async function waitReady(child: ChildServer, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.hasExited) {
      const { code, signal } = await child.exited;
      throw new Error(`child server exited before it was ready (code ${code}, signal ${signal}); output:\n${child.output()}`);
    }
    try {
      const res = await fetch(`${child.origin}/readyz`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error(`child server was not ready within ${timeoutMs} ms; output:\n${child.output()}`);
}
