/**
 * The load runs in a second process so the driver's CPU and GC never share an event loop with the server's:
 * `runLoadProcess` forks a worker script (under tsx) and hands it its input over IPC; the worker calls
 * `serveLoad` and answers with one result message. The worker's stdout goes to the bench's stderr.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { onInterrupt } from './interrupt.ts';
import { REPO_ROOT } from './start-server.ts';

type Reply<O> = { ok: true; result: O } | { ok: false; error: string };

/** Runs `script` (a path relative to the repository) in a new node process and resolves with its result. */
export function runLoadProcess<I, O>(script: string, input: I): Promise<O> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(REPO_ROOT, script), [], {
      cwd: REPO_ROOT,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 2, 2, 'ipc'],
      serialization: 'advanced',
    });
    const unregister = onInterrupt(() => child.kill('SIGKILL'));
    let reply: Reply<O> | undefined;
    child.on('message', (message) => (reply = message as Reply<O>));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      unregister();
      if (reply?.ok) resolve(reply.result);
      else if (reply) reject(new Error(`${script} failed: ${reply.error}`));
      else reject(new Error(`${script} exited (${code ?? signal}) without a result`));
    });
    child.send(input as object);
  });
}

/** Worker side: run `work` on the input the parent sends, reply, exit. */
export function serveLoad<I, O>(work: (input: I) => Promise<O>): void {
  if (!process.send) throw new Error('a load worker must be started by runLoadProcess');
  process.once('message', (input) => {
    work(input as I).then(
      (result) => process.send!({ ok: true, result } satisfies Reply<O>, () => process.exit(0)),
      (err) => process.send!({ ok: false, error: (err as Error)?.stack ?? String(err) } satisfies Reply<O>, () => process.exit(1)),
    );
  });
}
