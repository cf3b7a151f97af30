/**
 * An in-process Fhirline app on a fresh embedded store in a temp directory, for supertest.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Koa from 'koa';
import { createApp } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import type { Services } from '../../server/fhir/services.ts';
import { createLogger } from '../../server/logger.ts';
import { EmbeddedStore } from '../../server/store/embedded/embedded-store.ts';
import { loadDefinitions } from '../../server/validation/definitions.ts';

export interface TestServer {
  app: Koa;
  services: Services;
  close(): Promise<void>;
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  loadDefinitions();
  const dataDir = mkdtempSync(join(tmpdir(), 'fhirline-test-'));
  const config: Config = loadConfig({ BASE_URL: 'http://fhir.test/fhir', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env });
  const store = new EmbeddedStore(dataDir);
  await store.open();
  const services: Services = { config, store, logger: createLogger('silent') };
  return {
    app: createApp(services),
    services,
    async close() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
