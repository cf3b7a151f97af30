/**
 * A prepare pool worker (prepare-pool.ts): loads the same definitions as the server, then answers batches of
 * version texts with their validation outcome or search values (prepare-version.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Resource } from '@medplum/fhirtypes';
import { loadValidation, validateResource } from '../validation/validate.ts';
import type { PrepareRequest, PrepareResponse, PrepareWorkerData } from './prepare-pool.ts';
import { prepareVersion } from './prepare-version.ts';

const port = parentPort!;
const { extraProfilesDir, limits } = workerData as PrepareWorkerData;
loadValidation(extraProfilesDir, limits);
port.on('message', ({ batch, contents, validateOnly }: PrepareRequest) => {
  const results = contents.map((content) => {
    try {
      // The stored text parsed plainly is the resource the main thread would validate (decimals as numbers).
      const resource = JSON.parse(content) as Resource;
      if (validateOnly) return { failure: validateResource(resource) };
      return prepareVersion(resource);
    } catch (err) {
      return { error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    }
  });
  port.postMessage({ batch, results: JSON.stringify(results) } satisfies PrepareResponse);
});
port.postMessage({ ready: true });
