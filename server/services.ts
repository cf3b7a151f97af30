import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import type { VersionPreparer } from './repository/prepare-version.ts';
import type { Store } from './store/port.ts';

/** What request handlers need, passed explicitly (no module-level state). */
export interface Services {
  config: Config;
  store: Store;
  logger: Logger;
  /** Where new versions are validated and indexed: the prepare pool's workers, or this thread. */
  preparer: VersionPreparer;
}
