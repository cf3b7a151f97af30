/**
 * Picks the storage adapter from the configuration: MongoDB when MONGODB_URI is set, else the embedded store.
 */
import type { Config } from '../config.ts';
import { EmbeddedStore } from './embedded/embedded-store.ts';
import { MongoStore } from './mongo/mongo-store.ts';
import type { Store } from './port.ts';

export async function openStore(config: Config): Promise<Store> {
  const store: Store = config.mongodbUri ? new MongoStore(config.mongodbUri, config.mongodbDb) : new EmbeddedStore(config.dataDir);
  await store.open();
  return store;
}
