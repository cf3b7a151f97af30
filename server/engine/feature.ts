/**
 * A part of Fhirline that lives outside `server/` and plugs into it (the HL7 listener; later subscriptions and
 * jobs): the collections it keeps, its admin routes, and what it runs in the background. `server/main.ts` lists
 * the features; `startServer` registers their collections before the store opens, mounts their routes and starts
 * them once the engine is up, and stops them before the store closes.
 */
import type Router from '@koa/router';
import type { CollectionSpec } from '../store/port.ts';
import type { Engine } from './engine.ts';

export interface RunningFeature {
  /** Stops taking work, finishes what is in flight. */
  close(): Promise<void>;
}

export interface Feature {
  name: string;
  collections: CollectionSpec[];
  /** Routes mounted on the app (e.g. `/admin/hl7/...`); they pass through the app's error answers. */
  routes?(engine: Engine): Router;
  /** Checks its settings and starts; a failure stops the server from starting. */
  start?(engine: Engine): Promise<RunningFeature>;
}
