/**
 * Posts one Bundle to `[base]` and reads what the server did with each entry (http.html#transaction): a
 * `transaction-response` means every entry was applied; an error answer means none was (the OperationOutcome
 * names the failing entry as `Bundle.entry[i]`); a `batch-response` carries each entry's own status.
 */
import type { OperationOutcome } from '@medplum/fhirtypes';
import type { LoadBundle } from './read-input.ts';

/** A failed entry (or Bundle, or line), as the summary lists it. */
export interface LoadError {
  file: string;
  /** 1-based line of an NDJSON file. */
  line?: number;
  /** Index of the entry in the Bundle that was sent (for a `.json` file: in the file's Bundle). */
  entry?: number;
  /** HTTP status of the answer; absent for a connection error or an unreadable input. */
  status?: number;
  diagnostics: string;
}

export interface BundleOutcome {
  /** Resource types of the entries applied. */
  stored: string[];
  /** Entries of a failed transaction, none of which was applied (a transaction is all or nothing). */
  notApplied: number;
  errors: LoadError[];
  /** No HTTP answer at all (server down, wrong URL): the loader stops rather than fail every Bundle. */
  unreachable?: boolean;
}

/** POSTs `bundle` to `baseUrl` and interprets the answer; never throws. */
export async function postBundle(baseUrl: string, bundle: LoadBundle, authorization?: string): Promise<BundleOutcome> {
  let status: number;
  let text: string;
  try {
    const res = await fetch(baseUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/fhir+json',
        accept: 'application/fhir+json',
        ...(authorization ? { authorization } : {}),
      },
      body: bundle.body,
    });
    status = res.status;
    text = await res.text();
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const diagnostics = `request failed: ${cause?.code ?? cause?.message ?? (err as Error).message}`;
    return { stored: [], notApplied: bundle.types.length, errors: [{ file: bundle.file, diagnostics }], unreachable: true };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return interpretAnswer(bundle, status, body);
}

/** What the answer (`status`, parsed `body`) to `bundle` says about each entry. Pure. */
export function interpretAnswer(bundle: LoadBundle, status: number, body: unknown): BundleOutcome {
  const at = (entry: number | undefined): Pick<LoadError, 'file' | 'line' | 'entry'> => {
    const where: Pick<LoadError, 'file' | 'line' | 'entry'> = { file: bundle.file };
    if (entry === undefined) return where;
    where.entry = entry;
    const line = bundle.lines?.[entry];
    if (line !== undefined) where.line = line;
    return where;
  };
  // For an NDJSON line, the server's `Bundle.entry[i]: ` prefix names a Bundle the user never saw.
  const clean = (text: string) => (bundle.lines ? text.replace(/^Bundle\.entry\[\d+\]: /, '') : text);
  const answer = body as
    { resourceType?: string; type?: string; entry?: { response?: { status?: string; outcome?: OperationOutcome } }[] } | undefined;
  if (status === 200 && answer?.resourceType === 'Bundle' && answer.type === 'transaction-response') {
    return { stored: [...bundle.types], notApplied: 0, errors: [] };
  }
  if (status === 200 && answer?.resourceType === 'Bundle' && answer.type === 'batch-response') {
    const out: BundleOutcome = { stored: [], notApplied: 0, errors: [] };
    bundle.types.forEach((type, i) => {
      const response = answer.entry?.[i]?.response;
      const code = Number(/^\d{3}/.exec(response?.status ?? '')?.[0] ?? 0);
      if (code >= 200 && code < 300) out.stored.push(type);
      else
        out.errors.push({
          ...at(i),
          status: code || undefined,
          diagnostics: clean(diagnosticsOf(response?.outcome) ?? `entry answered '${response?.status ?? 'nothing'}'`),
        });
    });
    return out;
  }
  const outcome = answer?.resourceType === 'OperationOutcome' ? (answer as OperationOutcome) : undefined;
  const diagnostics = diagnosticsOf(outcome) ?? `HTTP ${status}${outcome ? '' : ' without an OperationOutcome'}`;
  const entry = entryIndexOf(outcome);
  return { stored: [], notApplied: bundle.types.length, errors: [{ ...at(entry), status, diagnostics: clean(diagnostics) }] };
}

/** The issues' diagnostics, joined. */
function diagnosticsOf(outcome: OperationOutcome | undefined): string | undefined {
  const texts = (outcome?.issue ?? []).map((i) => i.diagnostics ?? i.details?.text ?? i.code).filter(Boolean);
  return texts.length ? texts.join('; ') : undefined;
}

/** The `i` of the first `Bundle.entry[i]` an issue names (in expression or diagnostics). */
export function entryIndexOf(outcome: OperationOutcome | undefined): number | undefined {
  for (const issue of outcome?.issue ?? []) {
    for (const text of [...(issue.expression ?? []), issue.diagnostics ?? '']) {
      const m = /Bundle\.entry\[(\d+)\]/.exec(text);
      if (m) return Number(m[1]);
    }
  }
  return undefined;
}
