/**
 * Turns the loader's input files into Bundles to post, lazily: an NDJSON file is read line by line and cut into
 * transactions of `batchSize` resources as the senders ask for them, so a multi-GB file never sits in memory
 * (at most `concurrency` Bundles do). A `.json` file is read whole (the server takes at most MAX_BODY_BYTES).
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseFhirJson } from '../fhir-json/fhir-json.ts';
import { entryOfResourceText, sendableOf, transactionText, type WrappedEntry } from './to-transaction.ts';

/** One Bundle to post and where its entries came from. */
export interface LoadBundle {
  file: string;
  bundleType: 'transaction' | 'batch';
  body: string;
  /** Resource type of each entry, in order. */
  types: string[];
  /** NDJSON: the line number (1-based) of each entry; JSON files: absent (entry i is the file's entry i). */
  lines?: number[];
  /** Input bytes this Bundle accounts for, for the progress bar. */
  bytes: number;
}

/** A line or file that could not become a Bundle entry: reported like a failed entry, never sent. */
export interface InputError {
  file: string;
  line?: number;
  diagnostics: string;
}

export type InputItem = { kind: 'bundle'; bundle: LoadBundle } | { kind: 'error'; error: InputError; bytes: number };

export const INPUT_EXTENSIONS = ['.json', '.ndjson'];

/**
 * The files to load, in order: the given files, and each folder's `.json`/`.ndjson` files (recursively, sorted by
 * path). Synthea's shared resources (`hospitalInformation*`, `practitionerInformation*`) are returned in `first`:
 * the patient Bundles refer to them by conditional references, which fail until they exist.
 */
export async function listInputFiles(inputs: string[]): Promise<{ first: string[]; rest: string[]; bytes: number }> {
  const files: string[] = [];
  for (const input of inputs) {
    const info = await stat(input);
    if (info.isDirectory()) files.push(...(await walk(input)).sort());
    else files.push(input);
  }
  const isShared = (f: string) => /^(hospitalInformation|practitionerInformation)/.test(path.basename(f));
  let bytes = 0;
  for (const f of files) bytes += (await stat(f)).size;
  return { first: files.filter(isShared), rest: files.filter((f) => !isShared(f)), bytes };
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else if (INPUT_EXTENSIONS.includes(path.extname(entry.name).toLowerCase())) out.push(full);
  }
  return out;
}

/** The Bundles (and unreadable inputs) of `files`, in order. */
export async function* readInputs(files: string[], batchSize: number): AsyncGenerator<InputItem> {
  for (const file of files) {
    if (path.extname(file).toLowerCase() === '.ndjson') yield* readNdjson(file, batchSize);
    else yield await readJsonFile(file);
  }
}

export async function readJsonFile(file: string): Promise<InputItem> {
  const text = await readFile(file, 'utf8');
  const bytes = Buffer.byteLength(text);
  try {
    const sendable = sendableOf(parseFhirJson(text), text);
    return { kind: 'bundle', bundle: { file, bundleType: sendable.bundleType, body: sendable.body, types: sendable.types, bytes } };
  } catch (err) {
    return { kind: 'error', error: { file, diagnostics: `not loadable: ${(err as Error).message}` }, bytes };
  }
}

/** Transactions of up to `batchSize` resources, one per line; blank lines are skipped, bad lines reported. */
export async function* readNdjson(file: string, batchSize: number): AsyncGenerator<InputItem> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let entries: WrappedEntry[] = [];
  let lineNumbers: number[] = [];
  let bytes = 0;
  let lineNumber = 0;
  const flush = (): InputItem => {
    const bundle: LoadBundle = {
      file,
      bundleType: 'transaction',
      body: transactionText(entries),
      types: entries.map((e) => e.type),
      lines: lineNumbers,
      bytes,
    };
    entries = [];
    lineNumbers = [];
    bytes = 0;
    return { kind: 'bundle', bundle };
  };
  for await (const raw of lines) {
    lineNumber++;
    const lineBytes = Buffer.byteLength(raw) + 1;
    const text = raw.trim();
    if (text === '') {
      bytes += lineBytes;
      continue;
    }
    let entry: WrappedEntry;
    try {
      entry = entryOfResourceText(text);
    } catch (err) {
      yield {
        kind: 'error',
        error: { file, line: lineNumber, diagnostics: `not a FHIR resource: ${(err as Error).message}` },
        bytes: lineBytes,
      };
      continue;
    }
    entries.push(entry);
    lineNumbers.push(lineNumber);
    bytes += lineBytes;
    if (entries.length >= batchSize) yield flush();
  }
  if (entries.length > 0) yield flush();
}
