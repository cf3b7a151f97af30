/**
 * A prepare pool worker (prepare-pool.ts): loads the same definitions as the server, then answers batches of
 * version texts with their validation outcome or search values (prepare-version.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Resource } from '@medplum/fhirtypes';
import { loadValidation } from '../validation/validate.ts';
import type { PrepareRequest, PrepareResponse, PrepareWorkerData } from './prepare-pool.ts';
import { prepareVersion } from './prepare-version.ts';

const port = parentPort!;
const { extraProfilesDir } = workerData as PrepareWorkerData;
loadValidation(extraProfilesDir);
port.on('message', ({ batch, contents }: PrepareRequest) => {
  const results = contents.map((content) => {
    try {
      // The stored text parsed plainly is the resource the main thread would validate (decimals as numbers).
      return prepareVersion(JSON.parse(content) as Resource);
    } catch (err) {
      return { error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    }
  });
  port.postMessage({ batch, results: JSON.stringify(results) } satisfies PrepareResponse);
});
port.postMessage({ ready: true });
