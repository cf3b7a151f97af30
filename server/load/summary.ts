/**
 * The loader's tally and the summary it prints at the end: resources stored by type, Bundles sent, time,
 * resources per second, and every error with its file, line or entry and the server's diagnostics. Pure.
 */
import type { BundleOutcome, LoadError } from './post-bundle.ts';

export interface LoadTally {
  files: number;
  bundlesSent: number;
  bundlesFailed: number;
  /** Resources stored, by type. */
  byType: Record<string, number>;
  stored: number;
  /** Entries of failed transactions (none of which was applied) and of Bundles that got no answer. */
  notApplied: number;
  errors: LoadError[];
  /** Set when the server could not be reached: the load stopped there. */
  stoppedEarly: boolean;
  /** Input bytes done, for the progress bar. */
  bytesDone: number;
}

export function emptyTally(files: number): LoadTally {
  return { files, bundlesSent: 0, bundlesFailed: 0, byType: {}, stored: 0, notApplied: 0, errors: [], stoppedEarly: false, bytesDone: 0 };
}

/** Adds one Bundle's outcome (`sent` = false for an input that could not become a Bundle). */
export function addOutcome(tally: LoadTally, outcome: BundleOutcome, bytes: number, sent = true): void {
  if (sent) tally.bundlesSent++;
  if (sent && outcome.errors.length > 0) tally.bundlesFailed++;
  for (const type of outcome.stored) tally.byType[type] = (tally.byType[type] ?? 0) + 1;
  tally.stored += outcome.stored.length;
  tally.notApplied += outcome.notApplied;
  tally.errors.push(...outcome.errors);
  tally.bytesDone += bytes;
}

/** `file line 12` (NDJSON), `file Bundle.entry[3]` (JSON), or `file`. */
export function whereOf(error: LoadError): string {
  if (error.line !== undefined) return `${error.file} line ${error.line}`;
  if (error.entry !== undefined) return `${error.file} Bundle.entry[${error.entry}]`;
  return error.file;
}

/** The summary as text; at most `maxErrors` errors are listed one by one. */
export function formatSummary(tally: LoadTally, seconds: number, maxErrors = 50): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const rate = seconds > 0 ? Math.round(tally.stored / seconds) : 0;
  const out: string[] = [];
  out.push(`Loaded ${n(tally.stored)} resources from ${n(tally.files)} file(s) in ${seconds.toFixed(1)} s (${n(rate)} resources/s)`);
  out.push(`Bundles sent: ${n(tally.bundlesSent)}${tally.bundlesFailed ? ` (${n(tally.bundlesFailed)} with errors)` : ''}`);
  const types = Object.entries(tally.byType).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (types.length) {
    const width = Math.max(...types.map(([t]) => t.length));
    out.push('Resources by type:');
    for (const [type, count] of types) out.push(`  ${type.padEnd(width)}  ${n(count).padStart(9)}`);
  }
  if (tally.errors.length) {
    out.push(
      `Errors: ${n(tally.errors.length)}${tally.notApplied ? `; entries of failed Bundles not stored: ${n(tally.notApplied)}` : ''}`,
    );
    for (const error of tally.errors.slice(0, maxErrors)) {
      out.push(`  ${whereOf(error)}${error.status ? ` HTTP ${error.status}` : ''}: ${error.diagnostics}`);
    }
    if (tally.errors.length > maxErrors) out.push(`  ... and ${n(tally.errors.length - maxErrors)} more`);
  } else {
    out.push('Errors: none');
  }
  if (tally.stoppedEarly) out.push('Stopped early: the server could not be reached; the files after the errors above were not sent.');
  return `${out.join('\n')}\n`;
}
