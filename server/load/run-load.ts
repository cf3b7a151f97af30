/**
 * Loads files into a running server: `concurrency` senders pull Bundles from the input reader one at a time
 * (so only that many are in memory) and post them; the tally collects what each entry did. Synthea's shared
 * resources (read-input.ts) are loaded completely before the rest.
 */
import type { LoadOptions } from './load-options.ts';
import { postBundle } from './post-bundle.ts';
import { startProgress } from './progress.ts';
import { listInputFiles, readInputs } from './read-input.ts';
import { addOutcome, emptyTally, type LoadTally } from './summary.ts';

export interface LoadResult {
  tally: LoadTally;
  seconds: number;
}

export async function runLoad(options: LoadOptions, progressStream: NodeJS.WriteStream): Promise<LoadResult> {
  const { first, rest, bytes } = await listInputFiles(options.inputs);
  const tally = emptyTally(first.length + rest.length);
  const started = performance.now();
  const progress = startProgress(progressStream, tally, bytes, started);
  try {
    for (const files of [first, rest]) {
      if (files.length === 0 || tally.stoppedEarly) continue;
      const items = readInputs(files, options.batchSize);
      // Async generators queue concurrent next() calls, so each sender gets its own item.
      const sender = async () => {
        for (let next = await items.next(); !next.done && !tally.stoppedEarly; next = await items.next()) {
          const item = next.value;
          if (item.kind === 'error') {
            addOutcome(tally, { stored: [], notApplied: 0, errors: [item.error] }, item.bytes, false);
            continue;
          }
          const outcome = await postBundle(options.url, item.bundle, options.authorization);
          addOutcome(tally, outcome, item.bundle.bytes);
          if (outcome.unreachable) tally.stoppedEarly = true;
        }
      };
      await Promise.all(Array.from({ length: options.concurrency }, sender));
    }
  } finally {
    progress.done();
  }
  return { tally, seconds: (performance.now() - started) / 1000 };
}
