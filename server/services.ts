import type { Access } from './access/access.ts';
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

/**
 * Services as one caller uses them: what its principal may do travels with them into the read and write paths,
 * which apply it to every query and every write (server/access/enforce.ts).
 */
export interface CallerServices extends Services {
  access: Access;
}
