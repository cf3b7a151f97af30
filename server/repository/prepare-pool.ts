/**
 * Worker threads that prepare versions (prepare-version.ts) off the main thread, so that validation and
 * search-value extraction of one request run on another core while the main thread parses, commits and answers
 * others. The versions asked for in one turn of the event loop (a transaction's entries) go out in batches of at
 * most BATCH_SIZE to the workers holding the fewest; each worker answers its batches in order. A worker that
 * dies fails the versions it held (their requests answer 500, nothing is written) and is replaced.
 */
import { Worker } from 'node:worker_threads';
import type { JsonObject } from '../fhir-json/fhir-json.ts';
import type { ResourceLimits } from '../validation/size.ts';
import type { ValidationFailure } from '../validation/validate.ts';
import { prepareInThread, type PreparedVersion, type VersionPreparer } from './prepare-version.ts';

/** What a worker is started with: the same definitions as the server (config.ts `extraProfilesDir`). */
export interface PrepareWorkerData {
  extraProfilesDir?: string;
  /** config.ts `maxResource*`, `maxSearchValues` (server/validation/size.ts); the defaults when absent. */
  limits?: ResourceLimits;
}

export interface PrepareRequest {
  batch: number;
  contents: string[];
  /** `$validate`: validation only, answered as `{ failure }` (absent when valid). */
  validateOnly?: boolean;
}

export type PrepareResult = PreparedVersion | { failure?: ValidationFailure } | { error: string };

export interface PrepareResponse {
  batch: number;
  /**
   * The batch's PrepareResult[] as JSON text: structured cloning of search values costs ~120 us per resource in
   * Node 20, JSON ~10 us both ways. Search values hold only strings and finite numbers, which JSON keeps exactly.
   */
  results: string;
}

/** Small enough that two workers share one transaction's entries, large enough that messages are few. */
const BATCH_SIZE = 64;

/** The worker module runs TypeScript through tsx's loader, registered in the worker as in the main thread. */
const TSX_API = import.meta.resolve('tsx/esm/api');
const WORKER = new URL('./prepare-worker.ts', import.meta.url).href;
const BOOTSTRAP = `import(${JSON.stringify(TSX_API)}).then(({ register }) => { register(); return import(${JSON.stringify(WORKER)}); });`;

/** The server's preparer (config.ts `prepareWorkers`): a pool of that many workers once they are ready, or this thread for 0. */
export async function startPreparer(workers: number, data: PrepareWorkerData): Promise<VersionPreparer> {
  if (workers === 0) return prepareInThread;
  const pool = new PreparePool(workers, data);
  try {
    await pool.ready();
  } catch (err) {
    await pool.close();
    throw err;
  }
  return pool;
}

interface Waiting {
  content: string;
  resolve(version: PreparedVersion | { failure?: ValidationFailure }): void;
  reject(err: Error): void;
}

interface PoolWorker {
  worker: Worker;
  /** Batches sent and not answered yet. */
  inFlight: Map<number, Waiting[]>;
  /** Versions held, to send the next batch to the least busy worker. */
  load: number;
  /** Versions this worker has answered (tests check that the pool, not the main thread, prepared a write). */
  prepared: number;
  ready: boolean;
}

export class PreparePool implements VersionPreparer {
  readonly name: string;
  private readonly workers: PoolWorker[] = [];
  private readonly started: Promise<void>[] = [];
  private queued: Waiting[] = [];
  private nextBatch = 0;
  private closing = false;

  constructor(
    size: number,
    private readonly data: PrepareWorkerData,
  ) {
    if (size < 1) throw new Error('a prepare pool has at least one worker');
    this.name = `${size} prepare worker${size === 1 ? '' : 's'}`;
    for (let i = 0; i < size; i++) this.workers.push(this.spawn());
  }

  /** Resolves once every worker has loaded its definitions; rejects if one fails to start. */
  async ready(): Promise<void> {
    await Promise.all(this.started);
  }

  prepare(_stored: JsonObject, content: string): Promise<PreparedVersion> {
    if (this.closing || this.workers.length === 0) return Promise.reject(new Error('the prepare pool is closed'));
    return new Promise<PreparedVersion>((resolve, reject) => {
      if (this.queued.length === 0) queueMicrotask(() => this.flush());
      this.queued.push({ content, resolve: (result) => resolve(result as PreparedVersion), reject });
    });
  }

  /** `$validate`: sent at once, alone, to the least busy worker, so a costly resource holds no other thread. */
  validate(content: string): Promise<ValidationFailure | undefined> {
    if (this.closing || this.workers.length === 0) return Promise.reject(new Error('the prepare pool is closed'));
    return new Promise<ValidationFailure | undefined>((resolve, reject) => {
      const waiting: Waiting = { content, resolve: (result) => resolve(result.failure), reject };
      this.send([waiting], true);
    });
  }

  /** Versions answered by each current worker (a replaced worker starts again at 0). */
  preparedPerWorker(): number[] {
    return this.workers.map((w) => w.prepared);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private flush(): void {
    const queued = this.queued;
    this.queued = [];
    for (let i = 0; i < queued.length; i += BATCH_SIZE) this.send(queued.slice(i, i + BATCH_SIZE), false);
  }

  private send(waiting: Waiting[], validateOnly: boolean): void {
    const target = this.workers.reduce((a, b) => (b.load < a.load ? b : a));
    const batch = this.nextBatch++;
    target.inFlight.set(batch, waiting);
    target.load += waiting.length;
    const request: PrepareRequest = { batch, contents: waiting.map((w) => w.content), ...(validateOnly ? { validateOnly } : {}) };
    target.worker.postMessage(request);
  }

  private spawn(): PoolWorker {
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: this.data satisfies PrepareWorkerData });
    const entry: PoolWorker = { worker, inFlight: new Map(), load: 0, prepared: 0, ready: false };
    this.started.push(
      new Promise<void>((resolve, reject) => {
        worker.on('message', (message: PrepareResponse | { ready: true }) => {
          if ('ready' in message) {
            entry.ready = true;
            resolve();
          } else this.answer(entry, message);
        });
        worker.on('error', (err) => this.lost(entry, err, reject));
        worker.on('exit', (code) => this.lost(entry, new Error(`prepare worker exited with code ${code}`), reject));
      }),
    );
    return entry;
  }

  private answer(entry: PoolWorker, { batch, results }: PrepareResponse): void {
    const waiting = entry.inFlight.get(batch);
    if (!waiting) return;
    entry.inFlight.delete(batch);
    entry.load -= waiting.length;
    entry.prepared += waiting.length;
    (JSON.parse(results) as PrepareResult[]).forEach((result, i) => {
      if ('error' in result && typeof result.error === 'string') waiting[i].reject(new Error(`prepare worker: ${result.error}`));
      else waiting[i].resolve(result as PreparedVersion);
    });
  }

  /** A worker ended (an uncaught error, then its exit): fail what it held, and replace it unless closing. */
  private lost(entry: PoolWorker, err: Error, failStart: (err: Error) => void): void {
    const index = this.workers.indexOf(entry);
    if (index < 0) return;
    for (const waiting of entry.inFlight.values()) for (const w of waiting) w.reject(err);
    entry.inFlight.clear();
    // One that never started (bad definitions) fails the server's start instead of being restarted for ever.
    if (this.closing || !entry.ready) {
      this.workers.splice(index, 1);
      failStart(err);
      return;
    }
    this.workers[index] = this.spawn();
  }
}
