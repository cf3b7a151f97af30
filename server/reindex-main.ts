/**
 * `npm run reindex [-- --type Patient,Observation]`: extracts the search values of every current resource
 * again (server/repository/reindex.ts), on the store the server would open (same environment, see the README).
 * Progress goes to stderr, the summary as one JSON line to stdout; exit code 2 for a bad argument.
 * With the embedded store, stop the server first (one process at a time) or call `POST /fhir/$reindex` instead.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from './config.ts';
import { reindex, type ReindexSummary } from './repository/reindex.ts';
import { openStore } from './store/open-store.ts';
import { isResourceType, loadDefinitions } from './validation/definitions.ts';

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run reindex [-- --type Patient,Observation]\n`);
  process.exit(2);
}

let types: string[] = [];
try {
  const { values } = parseArgs({ options: { type: { type: 'string', multiple: true } } });
  types = (values.type ?? [])
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
} catch (err) {
  usage((err as Error).message);
}

const config = loadConfig();
loadDefinitions({ extraDir: config.extraProfilesDir });
for (const type of types) if (!isResourceType(type)) usage(`'${type}' is not an R4 resource type`);

const started = Date.now();
let lastReport = 0;
const report = (progress: ReindexSummary) => {
  if (Date.now() - lastReport < 1_000) return;
  lastReport = Date.now();
  process.stderr.write(`reindex: ${progress.examined} read, ${progress.updated} updated, ${progress.retried} retried\n`);
};

const store = await openStore(config);
try {
  const summary = await reindex(store, { types, onProgress: report });
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ types: types.length ? types : 'all', ...summary, seconds }) + '\n');
} finally {
  await store.close();
}
