import os from 'node:os';
import { DEFAULT_LIMITS, type ResourceLimits } from './validation/size.ts';

/**
 * Runtime configuration, read once from the environment (every variable is in the README's configuration table).
 */
export interface Config {
  port: number;
  host: string;
  /** Public URL of the FHIR base, used in Location headers and Bundle links. */
  baseUrl: string;
  mllpPort: number;
  mllpHost: string;
  /** Peer addresses allowed to connect over MLLP; empty = any (only sensible on 127.0.0.1). */
  mllpAllow: string[];
  /** Largest MLLP frame accepted, in bytes; a larger one is answered AR and dropped. */
  mllpMaxBytes: number;
  /** Per-sender HL7 v2 mapping configuration file (hl7-listener/mapping/README.md, "Configuration"). */
  hl7Senders?: string;
  dataDir: string;
  /** A directory of extra profiles and SearchParameters, read like `profiles/` after it. */
  extraProfilesDir?: string;
  mongodbUri?: string;
  mongodbDb: string;
  bootstrapClientId?: string;
  bootstrapClientSecret?: string;
  /** Lifetime of an access token (and id_token), seconds. */
  accessTokenSeconds: number;
  /** Lifetime of a refresh token (offline_access; online_access is capped at 12 hours), seconds. */
  refreshTokenSeconds: number;
  logLevel: LogLevel;
  /** Largest request body accepted, in bytes; larger bodies get 413. */
  maxBodyBytes: number;
  /** Default and largest `_count` of history (and later search) pages. */
  defaultCount: number;
  maxCount: number;
  /** Most entries a batch or transaction Bundle may hold; more are refused with 413. */
  maxBundleEntries: number;
  /** A conditional delete matching several resources deletes them all (else 412), at most 1,000. */
  conditionalDeleteMultiple: boolean;
  /** Worker threads that validate and index new versions (server/repository/prepare-pool.ts); 0 = the main thread. */
  prepareWorkers: number;
  /** Bounds on one resource (server/validation/size.ts): JSON values, nesting depth, search values. */
  maxResourceElements: number;
  maxResourceDepth: number;
  maxSearchValues: number;
  /** Largest response body (a search page, a batch-response), counted as it is built: more is too-costly. */
  maxResponseBytes: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 8080);
  const host = env.HOST || '0.0.0.0';
  return {
    port,
    host,
    baseUrl: (env.BASE_URL || `http://localhost:${port}/fhir`).replace(/\/+$/, ''),
    mllpPort: integer(env, 'MLLP_PORT', 2575),
    mllpHost: env.MLLP_HOST || '127.0.0.1',
    mllpAllow: (env.MLLP_ALLOW || '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    mllpMaxBytes: integer(env, 'MLLP_MAX_BYTES', 20 * 1024 * 1024),
    hl7Senders: env.HL7_SENDERS || undefined,
    dataDir: env.DATA_DIR || './data',
    extraProfilesDir: env.EXTRA_PROFILES_DIR || undefined,
    mongodbUri: env.MONGODB_URI || undefined,
    mongodbDb: env.MONGODB_DB || 'fhirline',
    bootstrapClientId: env.BOOTSTRAP_CLIENT_ID || undefined,
    bootstrapClientSecret: env.BOOTSTRAP_CLIENT_SECRET || undefined,
    accessTokenSeconds: integer(env, 'ACCESS_TOKEN_SECONDS', 3600),
    refreshTokenSeconds: integer(env, 'REFRESH_TOKEN_SECONDS', 30 * 24 * 3600),
    logLevel: logLevel(env.LOG_LEVEL),
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 50 * 1024 * 1024),
    defaultCount: integer(env, 'DEFAULT_COUNT', 20),
    maxCount: integer(env, 'MAX_COUNT', 1000),
    maxBundleEntries: integer(env, 'MAX_BUNDLE_ENTRIES', 10000),
    conditionalDeleteMultiple: flag(env, 'CONDITIONAL_DELETE_MULTIPLE'),
    // One core stays with the main thread (HTTP, MLLP, commits); the others validate and index.
    prepareWorkers: integer(env, 'PREPARE_WORKERS', Math.min(4, os.availableParallelism() - 1)),
    maxResourceElements: integer(env, 'MAX_RESOURCE_ELEMENTS', DEFAULT_LIMITS.maxElements),
    maxResourceDepth: integer(env, 'MAX_RESOURCE_DEPTH', DEFAULT_LIMITS.maxDepth),
    maxSearchValues: integer(env, 'MAX_SEARCH_VALUES', DEFAULT_LIMITS.maxSearchValues),
    maxResponseBytes: integer(env, 'MAX_RESPONSE_BYTES', 64 * 1024 * 1024),
  };
}

function integer(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got '${raw}'`);
  return n;
}

function flag(env: Env, name: string): boolean {
  const raw = (env[name] || 'false').toLowerCase();
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${name} must be true or false, got '${env[name]}'`);
}

function logLevel(raw: string | undefined): LogLevel {
  const level = (raw || 'info').toLowerCase();
  if (['debug', 'info', 'warn', 'error', 'silent'].includes(level)) return level as LogLevel;
  throw new Error(`LOG_LEVEL must be one of debug, info, warn, error, silent; got '${raw}'`);
}

/** The bounds on one resource that validation applies (server/validation/size.ts). */
export function resourceLimits(config: Config): ResourceLimits {
  return { maxElements: config.maxResourceElements, maxDepth: config.maxResourceDepth, maxSearchValues: config.maxSearchValues };
}
