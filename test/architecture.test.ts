/**
 * The import rules that keep the engine's seams where they are (README, "How it fits together"):
 * - no cycle between top-level folders of the product (tests, testing helpers and benchmarks consume it; the
 *   process entry `server/main.ts` is the one place that knows every feature, to plug them in);
 * - `hl7-listener/`, `subscriptions/` and `resources/` reach `server/` only through the façade `server/engine/index.ts`;
 * - the engine's layers (`search/`, `repository/`, `store/`, `bundle/`, ...) know nothing of HTTP: they never import
 *   `server/rest/`, `server/http/` or the authorization server `server/auth/` (what a principal may do, `server/access/`,
 *   is one of the engine's layers).
 * Imports are read with the TypeScript compiler's own pre-processor, the dynamic ones and `export ... from` included.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './support/child-server.ts';

const TOP_LEVEL = ['server', 'resources', 'profiles', 'hl7-listener', 'subscriptions', 'fixtures', 'test', 'bench'];
const FEATURES = ['hl7-listener', 'subscriptions', 'resources'];
const FACADE = 'server/engine/index.ts';
/** The composition root: it lists the features the process runs. */
const ENTRY = 'server/main.ts';
const HTTP_FREE = [
  'search',
  'search-index',
  'repository',
  'store',
  'bundle',
  'validation',
  'terminology',
  'fhir-json',
  'errors',
  'engine',
  'access',
];

interface Import {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(REPO_ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory() && entry.name !== 'node_modules') out.push(...sourceFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

function importsOf(file: string): Import[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(join(REPO_ROOT, file), 'utf8'), true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => ({ from: file, to: relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), name)) }));
}

const files = TOP_LEVEL.flatMap((dir) => {
  try {
    return sourceFiles(dir);
  } catch {
    return []; // a planned folder that does not exist yet
  }
});
const imports = files.flatMap(importsOf);
const top = (path: string) => path.split('/')[0]!;
/** Product code: not a test, not a test helper, not a benchmark. */
const isProduct = (path: string) =>
  !/\.test\.ts$/.test(path) && !path.split('/').includes('testing') && !['test', 'bench'].includes(top(path));

describe('architecture: import rules (test/architecture.test.ts)', () => {
  it('reads the imports of every source file', () => {
    assert.ok(files.length > 200 && imports.length > 500, `${files.length} files, ${imports.length} imports`);
    assert.ok(imports.some((i) => i.from === 'hl7-listener/handle-message.ts' && i.to === FACADE));
  });

  it('has no cycle between the top-level folders of the product', () => {
    const edges = new Map<string, Set<string>>();
    for (const i of imports) {
      if (!isProduct(i.from) || !isProduct(i.to) || top(i.from) === top(i.to) || i.from === ENTRY) continue;
      edges.set(top(i.from), (edges.get(top(i.from)) ?? new Set()).add(top(i.to)));
    }
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      for (const next of edges.get(node) ?? []) {
        if (path.includes(next)) cycles.push([...path.slice(path.indexOf(next)), next].join(' -> '));
        else visit(next, [...path, next]);
      }
    };
    for (const node of edges.keys()) visit(node, [node]);
    const examples = (from: string, to: string) =>
      imports.filter((i) => top(i.from) === from && top(i.to) === to && isProduct(i.from)).map((i) => `${i.from} -> ${i.to}`);
    assert.deepEqual(
      cycles,
      [],
      cycles
        .map((c) => c.split(' -> '))
        .map(([a, b]) => examples(a!, b!).join(', '))
        .join('; '),
    );
  });

  it(`lets ${FEATURES.join(', ')} reach server/ only through the façade ${FACADE}`, () => {
    const around = imports.filter((i) => FEATURES.includes(top(i.from)) && top(i.to) === 'server' && i.to !== FACADE);
    assert.deepEqual(
      around.map((i) => `${i.from} -> ${i.to}`),
      [],
    );
  });

  it('keeps HTTP out of the engine: its layers never import server/rest/, server/http/ or server/auth/', () => {
    const layer = (path: string) => (top(path) === 'server' ? path.split('/')[1] : undefined);
    const leaks = imports.filter((i) => HTTP_FREE.includes(layer(i.from) ?? '') && ['rest', 'http', 'auth'].includes(layer(i.to) ?? ''));
    // The façade hands features' admin routes the server's own body reading and answering.
    const allowed = (i: Import) => i.from === FACADE && ['server/http/respond.ts', 'server/http/body.ts'].includes(i.to);
    assert.deepEqual(
      leaks.filter((i) => !allowed(i)).map((i) => `${i.from} -> ${i.to}`),
      [],
    );
  });
});
