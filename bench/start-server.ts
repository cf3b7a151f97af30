/**
 * Starts Fhirline for a benchmark as a child process on a fresh temporary embedded store and free ports, waits for
 * `GET /readyz`, and stops it again (SIGTERM, then removes the store).
 *
 * The child is `node --import tsx server/main.ts`, not `npm start`: npm and the tsx CLI each add a parent process,
 * and the pid we sample for peak RSS and CPU time must be the server's own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
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
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    BASE_URL: `${origin}/fhir`,
    MLLP_PORT: String(mllpPort),
    MLLP_HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: options.logLevel ?? 'warn',
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
      'server/main.ts',
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
  try {
    await waitReady(child, origin, exited, options.readyTimeoutMs ?? 60_000, tail);
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
  return { pid, origin, port, mllpPort, dataDir, startupMs, peakRssMb: () => peakRssMb(pid), stop };
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
