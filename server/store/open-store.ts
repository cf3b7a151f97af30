/**
 * Picks the storage adapter from the configuration: MongoDB when MONGODB_URI is set, else the embedded store.
 */
import type { Config } from '../config.ts';
import { EmbeddedStore } from './embedded/embedded-store.ts';
import { MongoStore } from './mongo/mongo-store.ts';
import type { CollectionSpec, Store } from './port.ts';

/** `collections`: the features' own (server/engine/feature.ts), registered before the store opens. */
export async function openStore(config: Config, collections: CollectionSpec[] = []): Promise<Store> {
  const store: Store = config.mongodbUri ? new MongoStore(config.mongodbUri, config.mongodbDb) : new EmbeddedStore(config.dataDir);
  for (const collection of collections) store.register(collection);
  await store.open();
  return store;
}
