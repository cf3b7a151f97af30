/**
 * `npm run load -- <file-or-folder>... [--url URL] [--concurrency N] [--batch-size N]`: posts FHIR Bundles and
 * NDJSON files to a running server, progress on stderr, the summary on stdout; exit 0 when every resource was
 * stored, 1 when anything failed, 2 on a usage error. See the README ("Loading data").
 */
import { loadAuthorization } from './load-authorization.ts';
import { USAGE, parseLoadArgs } from './load-options.ts';
import { runLoad } from './run-load.ts';
import { formatSummary } from './summary.ts';

const options = parseLoadArgs(process.argv.slice(2));
if ('error' in options) {
  process.stderr.write(options.error ? `${options.error}\n\n${USAGE}` : USAGE);
  process.exit(options.error ? 2 : 0);
}
try {
  const authorization = await loadAuthorization(options.url, process.env);
  const { tally, seconds } = await runLoad({ ...options, ...(authorization ? { authorization } : {}) }, process.stderr);
  process.stdout.write(formatSummary(tally, seconds));
  process.exitCode = tally.errors.length > 0 ? 1 : 0;
} catch (err) {
  process.stderr.write(`load failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
