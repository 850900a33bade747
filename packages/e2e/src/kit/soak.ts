import type { FaultRates, FaultService } from "@uptime/local/fault-proxy";
import { seededRandom } from "@uptime/local/fault-proxy";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { config } from "@uptime/core/platform/config";
import { createUser, TEST_PASSWORD, type TestUser } from "./test-users";

/**
 * A fleet under the errors AWS returns under load (the local stack's fault mode), then the
 * promises checked: every transition mailed exactly once per recipient, no check result lost or
 * doubled, no incident left open after its target recovered, every subscriber mail sent once,
 * dead-letter queues empty. Shared by the short version in `npm test` and `npm run soak`.
 */
export interface SoakOptions {
  durationMs: number;
  monitors: number;
  /** Monitors share targets; each target goes down and up on its own seeded schedule. */
  targets: number;
  subscribers: number;
  /** Incidents posted (each created, updated and resolved) on the status page during the run. */
  postedIncidents: number;
  faults: Partial<Record<FaultService, FaultRates>>;
  seed: number;
  /** One outage cycle of a target: down for half of it, up for the other half. */
  outageCycleMs: number;
  log?: (line: string) => void;
}

export interface Invariant {
  name: string;
  held: boolean;
  detail: string;
}

export interface SoakReport {
  options: Omit<SoakOptions, "log">;
  ranMs: number;
  faults: Record<string, number>;
  requests: Record<FaultService, number>;
  figures: { ticksDone: number; ticksFailed: number; results: number; incidents: number; alertMails: number; subscriberMails: number; postedIncidents: number };
  invariants: Invariant[];
}

const TICK_SECONDS = 5;
const INTERVAL_SEC = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const monitorName = (i: number) => `Soak ${String(i).padStart(3, "0")}`;

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const log = o.log ?? (() => {});
  const random = seededRandom(o.seed);
  const targets: Target[] = await Promise.all(Array.from({ length: o.targets }, () => startTarget()));
  const stack = await startTestStack({
    scheduler: true,
    tickSeconds: TICK_SECONDS,
    faults: { seed: o.seed },
    // Short visibility timeouts bring dropped deletes and failed batches back within the run;
    // enough receives that injected faults alone never dead-letter a message.
    queueOverrides: { checks: { visibilityTimeoutSec: 5, maxReceiveCount: 10 }, alerts: { visibilityTimeoutSec: 5, maxReceiveCount: 10 } },
    env: { MONITOR_LIMIT: "10000", ALERT_EMAILS_PER_HOUR: "1000000", ACCOUNT_EMAILS_PER_HOUR: "1000000", FLAP_INCIDENTS_PER_HOUR: "1000000", SUBSCRIBE_CLIENT_PER_HOUR: "100000" },
    logError: (message, err) => log(`${message} ${err instanceof Error ? err.message : String(err)}`),
  });
  const started = Date.now();
  try {
    // ---- set-up, without faults ----
    const owner = signedIn(stack, await createUser(stack, `soak-owner-${o.seed}@example.com`));
    const monitorIds: string[] = [];
    for (let i = 0; i < o.monitors; i++) {
      const res = await owner.call("POST", "/v1/monitors", {
        name: monitorName(i),
        url: `${targets[i % o.targets]!.url}/m${i}`,
        intervalSec: INTERVAL_SEC,
        failureThreshold: 2,
        retryIntervalSec: 5,
        timeoutMs: 2000,
      });
      if (res.status !== 201) throw new Error(`monitor ${i}: ${res.status} ${JSON.stringify(res.body)}`);
      monitorIds.push(res.body.id);
    }
    const slug = `soak-${o.seed}-${Date.now().toString(36)}`;
    const page = await owner.call("POST", "/v1/status-pages", { slug, title: "Soak" });
    if (page.status !== 201) throw new Error(`page: ${page.status} ${JSON.stringify(page.body)}`);
    const pageId = page.body.id as string;
    const subscribers = Array.from({ length: o.subscribers }, (_, i) => `soak-sub-${i}@example.com`);
    for (const email of subscribers) await subscribeAndConfirm(stack, slug, email);
    await stack.drainQueues({ includeDelayed: false });
    await stack.clearEmails();
    log(`[soak] ${o.monitors} monitors on ${o.targets} targets, ${o.subscribers} subscribers; faults on for ${Math.round(o.durationMs / 1000)} s`);

    // ---- the run, with faults ----
    const faultFrom = Date.now();
    // Every kind at least once: the test asserts the run met each, and rare kinds may not come up by chance.
    for (const [service, rates] of Object.entries(o.faults)) stack.faults![service as FaultService].setRates({ ...rates, atLeastOnce: true });
    const phases = targets.map(() => random() * o.outageCycleMs);
    const postEvery = o.durationMs / (o.postedIncidents + 1);
    let posted = 0;
    while (Date.now() - faultFrom < o.durationMs) {
      const t = Date.now() - faultFrom;
      targets.forEach((target, i) => {
        const down = (t + phases[i]!) % o.outageCycleMs < o.outageCycleMs / 2;
        target.set(down ? { status: 503, body: "down" } : { status: 200, body: "ok" });
      });
      if (posted < o.postedIncidents && t >= postEvery * (posted + 1)) {
        posted++;
        // An overloaded local API may drop the connection: the run goes on, the invariants judge what exists.
        await postIncident(owner, pageId, `Soak incident #${String(posted).padStart(2, "0")}`, log).catch((err: Error) => log(`[soak] post failed: ${err.message}`));
      }
      await sleep(500);
    }

    // ---- recovery: targets up, faults off, everything settles ----
    for (const target of targets) target.set({ status: 200, body: "ok" });
    for (const service of ["dynamodb", "sqs", "ses"] as const) stack.faults![service].setRates({});
    const faultTo = Date.now();
    await waitUntil(async () => (await openIncidents(owner)).length === 0, 90_000);
    // The scheduler keeps running (and fans the next window out ahead), so delayed checks are always waiting.
    await stack.drainQueues({ timeoutMs: 60_000, includeDelayed: false });

    return {
      options: { ...o, log: undefined } as Omit<SoakOptions, "log">,
      ranMs: Date.now() - started,
      faults: Object.fromEntries(
        (["dynamodb", "sqs", "ses"] as const).flatMap((s) => [...stack.faults![s].injected].map(([k, v]) => [`${s} ${k}`, v] as const)),
      ),
      requests: { dynamodb: stack.faults!.dynamodb.requests, sqs: stack.faults!.sqs.requests, ses: stack.faults!.ses.requests },
      ...(await settled(() => checkInvariants({ stack, owner, monitorIds, pageId, subscribers, faultFrom, faultTo }))),
    };
  } finally {
    await stack.stop();
    await Promise.all(targets.map((t) => t.stop()));
  }
}

/** The soak outlives an access token (15 minutes): a 401 signs in again and repeats the call once. */
function signedIn(stack: TestStack, user: TestUser): TestUser {
  let token = user.token;
  const send = (method: string, path: string, body?: unknown) =>
    stack.api(path, { method, token, ...(body === undefined ? {} : { json: body }) });
  return {
    ...user,
    async call(method, path, body) {
      const res = await send(method, path, body);
      if (res.status !== 401) return res;
      const login = await stack.api("/v1/auth/login", { method: "POST", json: { email: user.email, password: TEST_PASSWORD } });
      if (login.status === 200) token = login.body.accessToken;
      return send(method, path, body);
    },
  };
}

async function subscribeAndConfirm(stack: TestStack, slug: string, email: string) {
  const form = (fields: Record<string, string>) => ({ method: "POST", body: new URLSearchParams(fields) });
  const res = await stack.api(`/status/${slug}/subscribe`, form({ email }));
  if (res.status !== 200) throw new Error(`subscribe ${email}: ${res.status}`);
  await stack.drainQueues({ includeDelayed: false });
  const mail = (await stack.emails()).find((m) => m.destination.to.includes(email));
  const link = new URL(mail!.body.text!.match(/https?:\/\/\S*\/subscription\/confirm\?\S+/)![0]);
  const confirmed = await stack.api(link.pathname, form(Object.fromEntries(link.searchParams)));
  if (confirmed.status !== 200) throw new Error(`confirm ${email}: ${confirmed.status}`);
}

/**
 * Created, updated, resolved through the API while faults are on. A call that fails with a 5xx is
 * repeated with the same content, as the API asks of its clients (a repeated post is recognised as
 * a replay and only queues its news); one that still fails is only logged: the invariants read what
 * exists afterwards.
 */
async function postIncident(owner: TestUser, pageId: string, title: string, log: (line: string) => void) {
  const call = async (path: string, body: unknown) => {
    let res = await owner.call("POST", path, body);
    for (let attempt = 1; res.status >= 500 && attempt < 5; attempt++) res = await owner.call("POST", path, body);
    return res;
  };
  const created = await call(`/v1/status-pages/${pageId}/incidents`, { title, impact: "minor", update: { message: "Looking.", status: "investigating" } });
  log(`[soak] post ${title}: ${created.status}`);
  if (created.status !== 201) return;
  for (const status of ["identified", "resolved"]) {
    const res = await call(`/v1/status-pages/${pageId}/incidents/${created.body.id}/updates`, { message: `Now ${status}.`, status });
    log(`[soak] ${title} ${status}: ${res.status}`);
  }
}

async function openIncidents(owner: TestUser) {
  const res = await owner.call("GET", "/v1/incidents?status=open&days=1&limit=100");
  return res.status === 200 ? (res.body.data as unknown[]) : [{ error: res.status }];
}

async function waitUntil(ok: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ok()) return;
    await sleep(1000);
  }
}

/**
 * The promises are about what happens eventually (a redelivered message, a retried mail): judged
 * again every few seconds for a minute after the faults stop, and the last verdict stands.
 */
async function settled(judge: () => Promise<Pick<SoakReport, "figures" | "invariants">>) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const verdict = await judge();
    if (verdict.invariants.every((i) => i.held) || Date.now() > deadline) return verdict;
    await sleep(5000);
  }
}

async function allPages<T>(owner: TestUser, path: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const res = await owner.call("GET", `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    out.push(...(res.body.data as T[]));
    cursor = res.body.cursor;
  } while (cursor);
  return out;
}

async function checkInvariants(c: {
  stack: TestStack;
  owner: TestUser;
  monitorIds: string[];
  pageId: string;
  subscribers: string[];
  faultFrom: number;
  faultTo: number;
}): Promise<Pick<SoakReport, "figures" | "invariants">> {
  const { stack, owner } = c;
  const invariants: Invariant[] = [];
  const check = (name: string, problems: string[], held: string) =>
    invariants.push({ name, held: problems.length === 0, detail: problems.length ? problems.slice(0, 10).join("; ") + (problems.length > 10 ? ` (+${problems.length - 10} more)` : "") : held });
  const mails = await stack.emails();

  // Every transition mailed exactly once per recipient: one DOWN per incident, one RECOVERED per resolution.
  const incidents = await allPages<{ id: string; monitorId: string; monitorName: string; status: string; resolvedAt: string | null }>(owner, "/v1/incidents?days=1");
  const toOwner = mails.filter((m) => m.destination.to.includes(owner.email));
  const mailProblems: string[] = [];
  for (const [i, monitorId] of c.monitorIds.entries()) {
    const name = monitorName(i);
    const mine = incidents.filter((x) => x.monitorId === monitorId);
    const subjects = toOwner.map((m) => String(m.subject)).filter((s) => s.includes(`${name} `) || s.endsWith(name));
    const down = subjects.filter((s) => s.includes("[DOWN]")).length;
    const recovered = subjects.filter((s) => s.includes("[RECOVERED]")).length;
    const resolved = mine.filter((x) => x.status === "resolved").length;
    if (down !== mine.length) mailProblems.push(`${name}: ${mine.length} incidents, ${down} DOWN mails`);
    if (recovered !== resolved) mailProblems.push(`${name}: ${resolved} resolved, ${recovered} RECOVERED mails`);
  }
  check("every transition mailed exactly once per recipient", mailProblems, `${incidents.length} incidents, each with one DOWN and (resolved) one RECOVERED mail`);

  check(
    "no incident left open after its target recovered",
    incidents.filter((x) => x.status === "open").map((x) => `${x.monitorName} ${x.id}`),
    "all resolved",
  );

  // No check result lost or doubled: every slot of a window a successful tick fanned out (its own,
  // and with TICK_LOOKAHEAD the next one) has one scheduled result.
  const lookahead = config().TICK_LOOKAHEAD;
  const doneWindows = new Set(
    stack.logs.flatMap((l) => {
      const m = /^\[tick\] (\S+) done/.exec(l);
      if (!m) return [];
      const w = Date.parse(m[1]!);
      return lookahead ? [w, w + TICK_SECONDS * 1000] : [w];
    }),
  );
  const failedTicks = stack.errors.filter((e) => e.message.startsWith("[tick]")).length;
  let resultCount = 0;
  const resultProblems: string[] = [];
  for (const [i, monitorId] of c.monitorIds.entries()) {
    const results = await allPages<{ at: string; kind: string }>(owner, `/v1/monitors/${monitorId}/results?from=${c.faultFrom}&to=${c.faultTo + TICK_SECONDS * 1000}`);
    resultCount += results.length;
    const scheduled = results.filter((r) => r.kind === "scheduled").map((r) => Date.parse(r.at));
    // A retry chain can land on the next scheduled slot (failure at s, retry at s + 5 s, its retry at
    // s + 10 s): the slot then has one result, stored by whichever job ran first, of kind "retry".
    const recorded = new Set(results.filter((r) => r.kind !== "manual").map((r) => Date.parse(r.at)));
    const unique = new Set(scheduled);
    if (unique.size !== scheduled.length) resultProblems.push(`${monitorName(i)}: ${scheduled.length - unique.size} doubled`);
    if (!scheduled.length) {
      resultProblems.push(`${monitorName(i)}: no scheduled results`);
      continue;
    }
    // The monitor's place in its interval: where most of its scheduled results fall.
    const offsets = new Map<number, number>();
    for (const t of scheduled) offsets.set(t % (INTERVAL_SEC * 1000), (offsets.get(t % (INTERVAL_SEC * 1000)) ?? 0) + 1);
    const offset = [...offsets].sort((a, b) => b[1] - a[1])[0]![0];
    for (const w of doneWindows) {
      for (let slot = w; slot < w + TICK_SECONDS * 1000; slot += 1000) {
        // A window is fanned out a window ahead (TICK_LOOKAHEAD): one fanned out before the set-up
        // created the monitors has no jobs for them, so slots count from two windows after it.
        if (slot % (INTERVAL_SEC * 1000) !== offset || slot < c.faultFrom + 2 * TICK_SECONDS * 1000 || slot > c.faultTo) continue;
        if (!recorded.has(slot)) resultProblems.push(`${monitorName(i)}: slot ${new Date(slot).toISOString()} has no result`);
      }
    }
  }
  check("no check result lost or doubled", resultProblems, `${resultCount} results; every slot of the ${doneWindows.size} windows whose tick ran has exactly one`);

  // Every subscriber mail sent once: one per update of every posted incident that exists.
  const posted = await allPages<{ id: string; title: string; updates: unknown[] }>(owner, `/v1/status-pages/${c.pageId}/incidents`);
  const subscriberProblems: string[] = [];
  let subscriberMails = 0;
  for (const email of c.subscribers) {
    const theirs = mails.filter((m) => m.destination.to.includes(email));
    subscriberMails += theirs.length;
    for (const p of posted) {
      const got = theirs.filter((m) => String(m.subject).includes(p.title)).length;
      if (got !== p.updates.length) subscriberProblems.push(`${email}: ${p.title} has ${p.updates.length} updates, ${got} mails`);
    }
  }
  check("every subscriber mail sent once", subscriberProblems, `${posted.length} posted incidents, ${subscriberMails} subscriber mails`);

  const counts = await stack.queueCounts();
  const dead = Object.entries(counts).filter(([name, q]) => /dlq/.test(name) && q.visible + q.inFlight + q.delayed > 0);
  check("dead-letter queues empty", dead.map(([name, q]) => `${name}: ${q.visible + q.inFlight + q.delayed}`), "both empty");

  return {
    figures: {
      ticksDone: doneWindows.size,
      ticksFailed: failedTicks,
      results: resultCount,
      incidents: incidents.length,
      alertMails: toOwner.length,
      subscriberMails,
      postedIncidents: posted.length,
    },
    invariants,
  };
}
