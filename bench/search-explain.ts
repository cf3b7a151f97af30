/**
 * Query plans of the search benchmark (forked by search.ts once the server has stopped): opens the same store
 * in process, serves the real application over it with every `find` / `count` reported through
 * `store.explain`, and runs the first variant of each query. So the plans are those of the very filters the
 * server builds, inner searches of chains and `_has` and `_include` lookups included, with no copy of the
 * search logic here.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bundle } from '@medplum/fhirtypes';
import { createApp } from '../server/app.ts';
import { authBypass } from '../server/auth/auth.ts';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/logger.ts';
import { EmbeddedStore } from '../server/store/embedded/embedded-store.ts';
import type { CollectionName, CollectionSpec, Filter, FindOptions, Store, StoredDocument, WriteOperation } from '../server/store/port.ts';
import { prepareInThread } from '../server/repository/prepare-version.ts';
import { loadDefinitions } from '../server/validation/definitions.ts';
import { serveLoad } from './load-process.ts';
import type { SearchQuery } from './search-queries.ts';

export interface SearchExplainInput {
  dataDir: string;
  queries: SearchQuery[];
}

/** Per query, each store call of its first variant in order: `find <plan>` / `count <plan>`, repeats folded (`×n`). */
export type SearchPlans = Record<string, string[]>;

/** A Store that explains every read before running it. */
class ExplainingStore implements Store {
  calls: string[] = [];
  constructor(private readonly inner: Store) {}
  register(spec: CollectionSpec) {
    this.inner.register(spec);
  }
  open() {
    return this.inner.open();
  }
  close() {
    return this.inner.close();
  }
  ping() {
    return this.inner.ping();
  }
  async findOne<T extends StoredDocument>(collection: CollectionName, filter: Filter): Promise<T | undefined> {
    this.calls.push(`findOne ${await this.inner.explain(collection, filter)}`);
    return this.inner.findOne<T>(collection, filter);
  }
  async find<T extends StoredDocument>(collection: CollectionName, filter: Filter, options?: FindOptions): Promise<T[]> {
    this.calls.push(`find ${await this.inner.explain(collection, filter, options)}`);
    return this.inner.find<T>(collection, filter, options);
  }
  async count(collection: CollectionName, filter: Filter): Promise<number> {
    this.calls.push(`count ${await this.inner.explain(collection, filter)}`);
    return this.inner.count(collection, filter);
  }
  write(operations: WriteOperation[]) {
    return this.inner.write(operations);
  }
  explain(collection: CollectionName, filter: Filter, options?: FindOptions) {
    return this.inner.explain(collection, filter, options);
  }
}

serveLoad<SearchExplainInput, SearchPlans>(async ({ dataDir, queries }) => {
  loadDefinitions();
  const inner = new EmbeddedStore(dataDir);
  await inner.open();
  const store = new ExplainingStore(inner);
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({ BASE_URL: `${origin}/fhir`, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  server.on('request', createApp({ config, store, logger: createLogger('silent'), preparer: prepareInThread }, authBypass()).callback());

  const plans: SearchPlans = {};
  try {
    for (const query of queries) {
      store.calls = [];
      let url: string | undefined = `${origin}${query.paths[0]}`;
      for (let page = 1; url !== undefined && page <= (query.pages ?? 1); page++) {
        // Only the first and last page of a walk: the pages between are planned alike.
        const before = store.calls.length;
        const res = await fetch(url, { headers: { accept: 'application/fhir+json', prefer: 'handling=strict' } });
        const bundle = (await res.json()) as Bundle;
        if (res.status !== 200) store.calls.push(`HTTP ${res.status}: ${JSON.stringify(bundle).slice(0, 300)}`);
        if (query.pages && page > 1 && page < query.pages) store.calls.length = before;
        else if (query.pages) store.calls.splice(before, 0, `page ${page}:`);
        url = bundle.link?.find((l) => l.relation === 'next')?.url;
      }
      plans[query.name] = fold(store.calls);
    }
  } finally {
    server.close();
    await inner.close();
  }
  return plans;
});

/** Consecutive identical entries as one, with `×n`. */
function fold(calls: string[]): string[] {
  const out: string[] = [];
  let n = 0;
  calls.forEach((c, i) => {
    n++;
    if (calls[i + 1] === c) return;
    out.push(n > 1 ? `${c} ×${n}` : c);
    n = 0;
  });
  return out;
}
