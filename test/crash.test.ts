/**
 * Durability and atomicity of the embedded store under a crash, and graceful shutdown, against a real server
 * process (test/support/child-server.ts).
 *
 * Crash: 16 concurrent loops create Patients and update them with If-Match; after 300-1500 ms the server is
 * SIGKILLed with requests in flight, a new process is started on the same DATA_DIR, and:
 * - every write answered 2xx is there, with the content that was answered, and the current version is at least it;
 * - nothing is partial: each resource's current version is the newest of its history, its history is 1..n
 *   without gaps, every version in system history can be vread, and (looking at the store files between the
 *   kill and the restart) every version has its outbox event;
 * - a write that was in flight at the kill is there completely (current + history) or not at all, and a write
 *   answered 4xx is not there at all.
 * Three kill/restart cycles on the same data.
 *
 * Graceful shutdown: SIGTERM while 50 creates are still sending their bodies; every one must be answered 2xx,
 * the process must exit with code 0 within 15 s, and the writes must be there after a restart.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import http from 'node:http';
import type { BundleEntry, Patient, Resource } from '@medplum/fhirtypes';
import type { HistoryDocument, OutboxDocument, ResourceDocument } from '../server/store/documents.ts';
import { EmbeddedStore } from '../server/store/embedded/embedded-store.ts';
import { makeTempDataDir, startChildServer, type ChildServer } from './support/child-server.ts';
import { FHIR_JSON, getJson, mapLimit, readAllPages } from './support/fhir-requests.ts';
import { authorizationFor } from './support/tokens.ts';

const IDENTIFIER_SYSTEM = 'urn:fhirline-test:crash';
const LOOPS = 16;
const CYCLES = 3;
const CHECK_CONCURRENCY = 16;

type Outcome = 'pending' | 'acked' | 'rejected' | 'unknown';

/** One write the load sent: what it carried and what became of it. */
interface Write {
  cycle: number;
  kind: 'create' | 'update';
  /** Unique per write: the Patient's `name[0].family`, so any stored version tells which write produced it. */
  marker: string;
  /** The Patient's identifier value, chosen at its creation and kept by every update. */
  identifier: string;
  /** Known before sending for an update; from the answer for a create. */
  id?: string;
  ifMatch?: number;
  /** An update sent with an out-of-date If-Match on purpose: must be answered 412 and leave nothing. */
  stale?: boolean;
  outcome: Outcome;
  status?: number;
  /** The version the server answered (ETag). */
  version?: number;
  /** The resource the server answered. */
  body?: Patient;
  error?: string;
  inFlightAtKill?: boolean;
}

interface Tracked {
  id: string;
  identifier: string;
  /** The newest version this test knows of (for If-Match). */
  version: number;
  busy: boolean;
}

function patient(identifier: string, marker: string, id?: string): Patient {
  return {
    resourceType: 'Patient',
    ...(id ? { id } : {}),
    identifier: [{ system: IDENTIFIER_SYSTEM, value: identifier }],
    name: [{ family: marker, given: ['Crash'] }],
    active: true,
  };
}

function markerOf(resource: Resource | undefined): string | undefined {
  return (resource as Patient | undefined)?.name?.[0]?.family;
}

function identifierOf(resource: Resource | undefined): string | undefined {
  return (resource as Patient | undefined)?.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM)?.value;
}

function versionOfEtag(etag: string | null): number | undefined {
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(etag?.trim() ?? '');
  return m ? Number(m[1]) : undefined;
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** The write load: concurrent loops of creates and version-aware updates, and the record of every outcome. */
class Load {
  readonly writes: Write[] = [];
  readonly patients = new Map<string, Tracked>();
  private readonly ids: string[] = [];
  private readonly inFlight = new Set<Write>();
  private seq = 0;
  private stopped = false;
  private readonly run = randomBytes(3).toString('hex');

  track(id: string, identifier: string, version: number): void {
    const known = this.patients.get(id);
    if (known) {
      known.version = Math.max(known.version, version);
      return;
    }
    this.patients.set(id, { id, identifier, version, busy: false });
    this.ids.push(id);
  }

  /** Runs LOOPS writers against `baseUrl` until `stop()`; resolves when every request has settled. */
  start(baseUrl: string, cycle: number): Promise<void> {
    this.stopped = false;
    const loop = async () => {
      while (!this.stopped) await this.writeOnce(baseUrl, cycle);
    };
    return Promise.all(Array.from({ length: LOOPS }, loop)).then(() => undefined);
  }

  /**
   * One create, awaited: the first write of a type after a start is slow (its validator is compiled on first use),
   * and the load should run against a server that answers at its normal pace.
   */
  async warmUp(baseUrl: string, cycle: number): Promise<void> {
    this.stopped = false;
    await this.writeOnce(baseUrl, cycle, true);
    const w = this.writes[this.writes.length - 1];
    assert.equal(w.outcome, 'acked', `warm-up create: ${w.status ?? ''} ${w.error ?? ''}`);
  }

  /** Stops issuing writes; marks and returns the writes in flight right now. */
  stop(): Write[] {
    this.stopped = true;
    const inFlight = [...this.inFlight];
    for (const w of inFlight) w.inFlightAtKill = true;
    return inFlight;
  }

  private pickIdle(): Tracked | undefined {
    for (let tries = 0; tries < 8 && this.ids.length > 0; tries++) {
      const p = this.patients.get(this.ids[Math.floor(Math.random() * this.ids.length)])!;
      if (!p.busy) return p;
    }
    return undefined;
  }

  private async writeOnce(baseUrl: string, cycle: number, create = false): Promise<void> {
    const n = ++this.seq;
    const marker = `m-${this.run}-${cycle}-${n}`;
    const target = !create && this.ids.length >= LOOPS && Math.random() < 0.6 ? this.pickIdle() : undefined;
    let w: Write;
    let url: string;
    let method: string;
    let body: Patient;
    const headers: Record<string, string> = { 'content-type': FHIR_JSON, accept: FHIR_JSON, ...authorizationFor(baseUrl) };
    if (target) {
      target.busy = true;
      const stale = target.version > 1 && Math.random() < 0.05;
      const ifMatch = stale ? target.version - 1 : target.version;
      w = { cycle, kind: 'update', marker, identifier: target.identifier, id: target.id, ifMatch, stale, outcome: 'pending' };
      url = `${baseUrl}/Patient/${target.id}`;
      method = 'PUT';
      body = patient(target.identifier, marker, target.id);
      headers['if-match'] = `W/"${ifMatch}"`;
    } else {
      const identifier = `p-${this.run}-${cycle}-${n}`;
      w = { cycle, kind: 'create', marker, identifier, outcome: 'pending' };
      url = `${baseUrl}/Patient`;
      method = 'POST';
      body = patient(identifier, marker);
    }
    this.writes.push(w);
    this.inFlight.add(w);
    try {
      const res = await fetch(url, { method, headers, body: JSON.stringify(body), signal: AbortSignal.timeout(create ? 30_000 : 5_000) });
      w.status = res.status;
      if (res.ok) {
        // Acknowledged once the status line is in: from here on the write must survive, body or not.
        w.outcome = 'acked';
        w.version = versionOfEtag(res.headers.get('etag'));
        if (w.kind === 'create') w.id = /\/Patient\/([^/]+)\/_history\//.exec(res.headers.get('location') ?? '')?.[1];
        try {
          w.body = JSON.parse(await res.text()) as Patient;
          w.id ??= w.body.id;
          w.version ??= Number(w.body.meta?.versionId);
        } catch (err) {
          w.error = `answer body unreadable: ${String((err as Error).message)}`;
        }
        if (w.id && w.version) this.track(w.id, w.identifier, w.version);
      } else {
        await res.arrayBuffer().catch(() => undefined);
        // A 5xx may or may not have been applied; a 4xx must have left nothing.
        w.outcome = res.status >= 500 ? 'unknown' : 'rejected';
      }
    } catch (err) {
      w.outcome = 'unknown';
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      w.error = cause?.code ?? cause?.message ?? (err as Error).message;
    } finally {
      this.inFlight.delete(w);
      if (target) target.busy = false;
    }
  }
}

/** Problems found by a check: collected, so a failure lists everything that is wrong (up to a point). */
class Problems {
  readonly list: string[] = [];
  add(message: string): void {
    this.list.push(message);
  }
  check(ok: boolean, message: () => string): void {
    if (!ok) this.add(message());
  }
  assertNone(what: string): void {
    if (this.list.length === 0) return;
    const shown = this.list.slice(0, 30).join('\n  ');
    assert.fail(`${what}: ${this.list.length} problem(s)\n  ${shown}${this.list.length > 30 ? '\n  ...' : ''}`);
  }
}

function same(a: unknown, b: unknown): boolean {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

/**
 * Looks at the store files of a stopped server: every current version has its history versions 1..n (the last one
 * with the same content), no history without a current document, and one outbox event per history version.
 */
async function checkStoreFiles(dataDir: string): Promise<{ resources: number; versions: number }> {
  const problems = new Problems();
  const store = new EmbeddedStore(dataDir);
  await store.open();
  try {
    const resources = await store.find<ResourceDocument>('resources', {});
    const history = await store.find<HistoryDocument>('history', {});
    const outbox = await store.find<OutboxDocument>('outbox', {});
    const versions = new Map<string, Map<number, HistoryDocument>>();
    for (const h of history) {
      const key = `${h.resourceType}/${h.id}`;
      if (!versions.has(key)) versions.set(key, new Map());
      versions.get(key)!.set(h.versionId, h);
    }
    const current = new Map(resources.map((r) => [r._id, r]));
    for (const r of resources) {
      const hv = versions.get(r._id);
      if (!hv) {
        problems.add(`store: current ${r._id} v${r.versionId} has no history at all`);
        continue;
      }
      for (let v = 1; v <= r.versionId; v++)
        problems.check(hv.has(v), () => `store: ${r._id} is at v${r.versionId} but history v${v} is missing`);
      problems.check(
        hv.size === r.versionId,
        () => `store: ${r._id} is at v${r.versionId} but history has ${hv.size} versions (${[...hv.keys()].join(',')})`,
      );
      const newest = hv.get(r.versionId);
      problems.check(newest?.content === r.content, () => `store: ${r._id} current content differs from history v${r.versionId}`);
    }
    for (const key of versions.keys()) problems.check(current.has(key), () => `store: history of ${key} but no current document`);
    const events = new Map(outbox.map((e) => [`${e.resourceType}/${e.id}/${e.versionId}`, e]));
    for (const h of history) {
      const e = events.get(`${h.resourceType}/${h.id}/${h.versionId}`);
      problems.check(!!e, () => `store: no outbox event for ${h._id}`);
      if (e)
        problems.check(
          e.lastUpdated === h.lastUpdated,
          () => `store: outbox event for ${h._id} has lastUpdated ${e.lastUpdated}, history ${h.lastUpdated}`,
        );
    }
    problems.check(outbox.length === history.length, () => `store: ${outbox.length} outbox events for ${history.length} history versions`);
    problems.assertNone('store files after kill -9');
    return { resources: resources.length, versions: history.length };
  } finally {
    await store.close();
  }
}

interface CycleStats {
  acked: number;
  rejected: number;
  unknown: number;
  inFlightAtKill: number;
  inFlightLanded: number;
  resources: number;
  versions: number;
}

/**
 * Checks a restarted server against everything the load recorded (all cycles so far), then brings the load's
 * idea of each Patient's current version up to date (writes in flight at the kill may have landed).
 */
async function checkServer(child: ChildServer, load: Load, cycle: number): Promise<CycleStats> {
  const base = child.baseUrl;
  const problems = new Problems();

  // System history: every version of every resource; each one must be one of our writes, at most once.
  const system = await readAllPages(`${base}/_history?_count=1000`);
  const versionsById = new Map<string, Map<number, BundleEntry<Resource>>>();
  const byMarker = new Map<string, { id: string; version: number; entry: BundleEntry<Resource> }[]>();
  for (const entry of system) {
    const r = entry.resource;
    if (!r?.id || r.resourceType !== 'Patient') {
      problems.add(`system history entry without a Patient: ${JSON.stringify(entry).slice(0, 300)}`);
      continue;
    }
    const version = Number(r.meta?.versionId);
    if (!versionsById.has(r.id)) versionsById.set(r.id, new Map());
    const vs = versionsById.get(r.id)!;
    problems.check(!vs.has(version), () => `system history lists Patient/${r.id} v${version} twice`);
    vs.set(version, entry);
    const marker = markerOf(r) ?? '(none)';
    if (!byMarker.has(marker)) byMarker.set(marker, []);
    byMarker.get(marker)!.push({ id: r.id, version, entry });
  }

  // Each stored version is exactly one write we sent, stored where that write said, and not a rejected one.
  const writesByMarker = new Map(load.writes.map((w) => [w.marker, w]));
  for (const [marker, places] of byMarker) {
    const w = writesByMarker.get(marker);
    if (!w) {
      problems.add(
        `a stored version carries marker ${marker} that no write sent (${places.map((p) => `${p.id} v${p.version}`).join(', ')})`,
      );
      continue;
    }
    problems.check(places.length === 1, () => `write ${marker} (${w.kind}, ${w.outcome}) is stored ${places.length} times`);
    const { id, version, entry } = places[0];
    problems.check(
      w.outcome === 'acked' || w.outcome === 'unknown',
      () => `write ${marker} was answered ${w.status} (${w.outcome}) but is stored as Patient/${id} v${version}`,
    );
    problems.check(
      identifierOf(entry.resource) === w.identifier,
      () => `Patient/${id} v${version}: identifier ${identifierOf(entry.resource)} instead of ${w.identifier}`,
    );
    if (w.kind === 'create') problems.check(version === 1, () => `create ${marker} stored as Patient/${id} v${version}, not v1`);
    else
      problems.check(
        id === w.id && version === w.ifMatch! + 1,
        () => `update ${marker} of Patient/${w.id} If-Match ${w.ifMatch} stored as Patient/${id} v${version}`,
      );
  }

  // Every acknowledged write is there, with the content that was acknowledged.
  const acked = load.writes.filter((w) => w.outcome === 'acked');
  for (const w of acked) {
    if (!w.id || !w.version) {
      problems.add(`write ${w.marker} was acknowledged (${w.status}) without id/version (${w.error ?? ''})`);
      continue;
    }
    if (w.kind === 'create') problems.check(w.version === 1, () => `create ${w.marker} acknowledged as v${w.version}`);
    else problems.check(w.version === w.ifMatch! + 1, () => `update ${w.marker} with If-Match ${w.ifMatch} acknowledged as v${w.version}`);
    const place = byMarker.get(w.marker)?.[0];
    if (!place) {
      problems.add(`LOST: acknowledged ${w.kind} ${w.marker} (Patient/${w.id} v${w.version}, cycle ${w.cycle}) is not in system history`);
      continue;
    }
    problems.check(
      place.id === w.id && place.version === w.version,
      () => `acknowledged ${w.marker} as Patient/${w.id} v${w.version} but stored as Patient/${place.id} v${place.version}`,
    );
    if (w.body)
      problems.check(
        same(place.entry.resource, w.body),
        () => `Patient/${w.id} v${w.version}: history content differs from the acknowledged answer`,
      );
  }

  // Per resource: current = newest history entry, history is n..1 without gaps, and agrees with system history.
  const currentVersion = new Map<string, number>();
  await mapLimit([...versionsById.keys()], CHECK_CONCURRENCY, async (id) => {
    const current = await getJson<Patient>(`${base}/Patient/${id}`);
    if (current.status !== 200 || !current.body) {
      problems.add(
        `GET Patient/${id} -> ${current.status} although system history has versions ${[...versionsById.get(id)!.keys()].join(',')}`,
      );
      return;
    }
    const n = Number(current.body.meta?.versionId);
    currentVersion.set(id, n);
    problems.check(
      versionOfEtag(current.headers.get('etag')) === n,
      () => `GET Patient/${id}: ETag ${current.headers.get('etag')} but meta.versionId ${n}`,
    );
    const instance = await readAllPages(`${base}/Patient/${id}/_history?_count=1000`);
    const listed = instance.map((e) => Number(e.resource?.meta?.versionId));
    const expected = Array.from({ length: n }, (_, i) => n - i);
    problems.check(same(listed, expected), () => `Patient/${id} is at v${n} but its history lists versions [${listed.join(',')}]`);
    problems.check(same(instance[0]?.resource, current.body), () => `Patient/${id}: current content differs from the newest history entry`);
    const fromSystem = [...versionsById.get(id)!.keys()].sort((a, b) => b - a);
    problems.check(same(fromSystem, expected), () => `Patient/${id} is at v${n} but system history has versions [${fromSystem.join(',')}]`);
  });

  // Every version in system history can be vread, with the same content.
  const entries = [...versionsById.entries()].flatMap(([id, vs]) => [...vs.entries()].map(([v, e]) => ({ id, v, e })));
  await mapLimit(entries, CHECK_CONCURRENCY, async ({ id, v, e }) => {
    const vread = await getJson<Patient>(`${base}/Patient/${id}/_history/${v}`);
    problems.check(vread.status === 200, () => `system history has Patient/${id} v${v} but vread -> ${vread.status}`);
    if (vread.status === 200)
      problems.check(same(vread.body, e.resource), () => `vread Patient/${id}/_history/${v} differs from its system history entry`);
  });

  // Acknowledged writes of this cycle, read directly (not only through history listings).
  await mapLimit(
    acked.filter((w) => w.cycle === cycle && w.id && w.version),
    CHECK_CONCURRENCY,
    async (w) => {
      const n = currentVersion.get(w.id!);
      problems.check(
        n !== undefined && n >= w.version!,
        () => `acknowledged Patient/${w.id} v${w.version} but the current version is ${n}`,
      );
      const vread = await getJson<Patient>(`${base}/Patient/${w.id}/_history/${w.version}`);
      problems.check(
        vread.status === 200 && markerOf(vread.body) === w.marker,
        () =>
          `LOST: vread of acknowledged Patient/${w.id} v${w.version} -> ${vread.status} ${markerOf(vread.body) ?? ''} (wanted ${w.marker})`,
      );
      if (w.body && vread.status === 200)
        problems.check(same(vread.body, w.body), () => `vread Patient/${w.id}/_history/${w.version} differs from the acknowledged answer`);
      if (w.kind === 'create') {
        const read = await getJson<Patient>(`${base}/Patient/${w.id}`);
        problems.check(
          read.status === 200 && identifierOf(read.body) === w.identifier,
          () => `LOST: acknowledged create Patient/${w.id} -> GET ${read.status}`,
        );
      }
    },
  );

  problems.assertNone(`after kill -9 #${cycle} and restart`);

  // Bring the load up to date: versions written by in-flight writes, and Patients created by them.
  let inFlightLanded = 0;
  for (const w of load.writes.filter((x) => x.cycle === cycle && x.outcome === 'unknown')) {
    const place = byMarker.get(w.marker)?.[0];
    if (!place) continue;
    if (w.inFlightAtKill) inFlightLanded++;
    w.id ??= place.id;
  }
  for (const [id, n] of currentVersion) {
    const identifier = identifierOf(versionsById.get(id)!.get(n)?.resource);
    if (identifier) load.track(id, identifier, n);
    load.patients.get(id)!.version = n;
  }
  const ofCycle = load.writes.filter((w) => w.cycle === cycle);
  return {
    acked: ofCycle.filter((w) => w.outcome === 'acked').length,
    rejected: ofCycle.filter((w) => w.outcome === 'rejected').length,
    unknown: ofCycle.filter((w) => w.outcome === 'unknown').length,
    inFlightAtKill: ofCycle.filter((w) => w.inFlightAtKill).length,
    inFlightLanded,
    resources: versionsById.size,
    versions: system.length,
  };
}

describe('crash safety (child server process, kill -9)', function () {
  this.timeout(120_000);
  let dataDir: string | undefined;
  let child: ChildServer | undefined;

  after(async () => {
    await child?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged write and no partial one across kill -9 mid-load, 3 times', async function () {
    dataDir = makeTempDataDir('fhirline-crash-');
    const load = new Load();
    const log: string[] = [];
    let t0 = Date.now();
    const lap = (what: string) => {
      log.push(`${what}: ${Date.now() - t0} ms`);
      t0 = Date.now();
    };
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      child = await startChildServer({ dataDir });
      lap('start');
      if (cycle > 1) {
        // The restart on the crashed data: check everything written so far.
        const t = Date.now();
        const stats = await checkServer(child, load, cycle - 1);
        log.push(`cycle ${cycle - 1}: ${JSON.stringify(stats)} checked in ${Date.now() - t} ms`);
      }
      await load.warmUp(child.baseUrl, cycle);
      lap('warm-up');
      const running = load.start(child.baseUrl, cycle);
      await sleep(300 + Math.random() * 1_200);
      const killed = child.kill9();
      const inFlight = load.stop();
      const exit = await killed;
      await running;
      assert.equal(exit.signal, 'SIGKILL', `the server should have died of SIGKILL, got code ${exit.code} signal ${exit.signal}`);
      const fiveHundreds = load.writes.filter((w) => w.cycle === cycle && (w.status ?? 0) >= 500);
      assert.deepEqual(
        fiveHundreds.map((w) => `${w.kind} ${w.marker}: ${w.status}`),
        [],
        'no write should be answered 5xx',
      );
      log.push(`cycle ${cycle}: killed with ${inFlight.length} write(s) in flight`);
      lap('load+kill');
      await checkStoreFiles(dataDir);
      lap('store check');
    }
    child = await startChildServer({ dataDir });
    const t = Date.now();
    const stats = await checkServer(child, load, CYCLES);
    log.push(`cycle ${CYCLES}: ${JSON.stringify(stats)} checked in ${Date.now() - t} ms`);
    await child.stop();

    const all = load.writes;
    const acked = all.filter((w) => w.outcome === 'acked');
    assert.ok(
      acked.some((w) => w.kind === 'create'),
      'the load should have had creates acknowledged',
    );
    assert.ok(
      acked.some((w) => w.kind === 'update'),
      'the load should have had updates acknowledged',
    );
    assert.ok(
      all.some((w) => w.inFlightAtKill),
      'some writes should have been in flight at a kill',
    );
    for (const w of all.filter((x) => x.stale && x.outcome !== 'unknown'))
      assert.equal(w.status, 412, `stale If-Match ${w.marker} should be 412`);
    // The only writes refused should be the deliberately stale ones (creates and current-version updates are valid).
    const refused = all.filter((w) => w.outcome === 'rejected' && !w.stale);
    assert.deepEqual(
      refused.map((w) => `${w.kind} ${w.marker}: ${w.status}`),
      [],
      'valid writes should not be refused',
    );
    if (process.env.CRASH_TEST_VERBOSE) console.log(`      ${log.join('\n      ')}`);
  });
});

/** Sends a create whose body arrives in two parts; `finish()` sends the rest. */
function slowCreate(origin: string, agent: http.Agent, identifier: string) {
  const body = Buffer.from(JSON.stringify(patient(identifier, `shutdown-${identifier}`)));
  const cut = Math.floor(body.length / 2);
  let connected!: () => void;
  let finishBody!: () => void;
  const onConnect = new Promise<void>((ok) => (connected = ok));
  const answer = new Promise<{ status: number; id?: string; error?: string }>((ok) => {
    const req = http.request(`${origin}/fhir/Patient`, {
      method: 'POST',
      agent,
      headers: { 'content-type': FHIR_JSON, accept: FHIR_JSON, 'content-length': String(body.length), ...authorizationFor(origin) },
    });
    req.on('socket', (socket) => {
      if (!socket.connecting) connected();
      else socket.once('connect', () => connected());
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let id: string | undefined;
        try {
          id = (JSON.parse(text) as Patient).id;
        } catch {
          // not JSON
        }
        ok({ status: res.statusCode ?? 0, id });
      });
      res.on('error', (err) => ok({ status: res.statusCode ?? 0, error: `response: ${err.message}` }));
    });
    req.on('error', (err) => ok({ status: 0, error: (err as NodeJS.ErrnoException).code ?? err.message }));
    req.flushHeaders();
    req.write(body.subarray(0, cut));
    finishBody = () => req.end(body.subarray(cut));
  });
  return { onConnect, answer, finish: () => finishBody() };
}

describe('graceful shutdown (child server process, SIGTERM)', function () {
  this.timeout(60_000);
  let child: ChildServer | undefined;
  let dataDir: string | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 100 });

  after(async () => {
    agent.destroy();
    await child?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every accepted request, then exits 0 within 15 s, keeping the writes', async function () {
    dataDir = makeTempDataDir('fhirline-shutdown-');
    child = await startChildServer({ dataDir });
    const run = randomBytes(3).toString('hex');
    const requests = Array.from({ length: 50 }, (_, i) => slowCreate(child!.origin, agent, `s-${run}-${i}`));
    await Promise.all(requests.map((r) => r.onConnect));
    // Let the server take the connections and start reading the bodies: these requests are now in progress.
    await sleep(300);
    const stopping = child.stop(15_000);
    await sleep(200);
    for (const r of requests) r.finish();
    const answers = await Promise.all(requests.map((r) => r.answer));
    const exit = await stopping;
    if (process.env.CRASH_TEST_VERBOSE) console.log(`      SIGTERM -> exit ${exit.code} in ${exit.ms} ms`);

    const bad = answers.filter((a) => a.status < 200 || a.status >= 300);
    assert.deepEqual(bad, [], `every request in progress at SIGTERM should be answered 2xx; output:\n${child.output()}`);
    assert.equal(exit.code, 0, `exit code after SIGTERM (signal ${exit.signal}, after ${exit.ms} ms); output:\n${child.output()}`);
    assert.ok(exit.ms < 15_000, `exited after ${exit.ms} ms`);

    // The answered creates were durable before the answer: all there after a restart.
    child = await startChildServer({ dataDir });
    const reads = await mapLimit(answers, CHECK_CONCURRENCY, (a) => getJson<Patient>(`${child!.baseUrl}/Patient/${a.id}`));
    assert.deepEqual(
      reads.map((r) => r.status),
      answers.map(() => 200),
    );
    await child.stop();
  });
});
