import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/port.ts';

/** What request handlers need, passed explicitly (no module-level state). */
export interface Services {
  config: Config;
  store: Store;
  logger: Logger;
}
