/**
 * The loader's command line: `npm run load -- <file-or-folder>... [--url URL] [--concurrency N] [--batch-size N]`.
 * Pure: answers the options or a usage error.
 */

export interface LoadOptions {
  inputs: string[];
  /** The FHIR base the Bundles are posted to. */
  url: string;
  /** Bundles in flight at once. */
  concurrency: number;
  /** Resources per transaction cut from NDJSON files. */
  batchSize: number;
  /** `Bearer <token>` sent with every Bundle (load-authorization.ts), from the environment. */
  authorization?: string;
}

export const USAGE = `usage: npm run load -- <file-or-folder>... [--url http://localhost:8080/fhir] [--concurrency 4] [--batch-size 500]

Posts FHIR data to a running server: .json files (a transaction or batch Bundle is sent as it is; any other Bundle
or a single resource is wrapped into a transaction) and .ndjson files (one resource per line, sent in transactions
of --batch-size resources). Folders are read recursively. Exits 1 when anything failed.

Authorization: FHIRLINE_CLIENT_ID and FHIRLINE_CLIENT_SECRET of a client_credentials client (the bootstrap client
in DATA_DIR/bootstrap-credentials.json will do), or FHIRLINE_TOKEN, a bearer token.
`;

export const DEFAULTS = { url: 'http://localhost:8080/fhir', concurrency: 4, batchSize: 500 } as const;

export function parseLoadArgs(argv: string[]): LoadOptions | { error: string } {
  const options: LoadOptions = { inputs: [], ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    const positive = (name: string): number | { error: string } => {
      const text = value();
      const n = Number(text);
      return Number.isInteger(n) && n > 0 ? n : { error: `${name} takes a positive integer, not '${text ?? ''}'` };
    };
    if (flag === '--url') {
      const url = value();
      if (!url || !/^https?:\/\//.test(url)) return { error: `--url takes an http(s) URL of the FHIR base, not '${url ?? ''}'` };
      options.url = url.replace(/\/+$/, '');
    } else if (flag === '--concurrency' || flag === '--batch-size') {
      const n = positive(flag);
      if (typeof n !== 'number') return n;
      if (flag === '--concurrency') options.concurrency = n;
      else options.batchSize = n;
    } else if (flag === '--help' || flag === '-h') {
      return { error: '' };
    } else if (flag.startsWith('-')) {
      return { error: `unknown option '${flag}'` };
    } else {
      options.inputs.push(arg);
    }
  }
  if (options.inputs.length === 0) return { error: 'give at least one file or folder' };
  return options;
}
