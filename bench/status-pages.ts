/**
 * 9. A status page under a traffic spike: 10,000 requests for one page (HTML, summary.json and
 * the badge mixed as browsers, widgets and READMEs would ask) from 50 concurrent clients against
 * the local stack, counting how often the page was read from DynamoDB and rendered. Every read the
 * status-page code makes goes through the metered DynamoDB client (bench/lib/meter.ts). Deployed,
 * CloudFront serves most of these from its cache (Cache-Control: public, max-age=30); this shows
 * what reaches the function when it does not.
 * Run alone: npx tsx bench/status-pages.ts
 */
import { startTestStack } from "@uptime/local/testing";
import { RenderCache } from "@uptime/core/status-pages/render-cache";
import { createUser } from "@uptime/e2e/kit/test-users";
import { createStatusPageFixture } from "@uptime/e2e/kit/status-page-fixture";
import { installMeters, since, snapshot } from "./lib/meter";
import { commandFor, finish, fmt, log, type BenchResult } from "./lib/report";

const NAME = "status-pages";
const REQUESTS = 10_000;
const CONCURRENCY = 50;
const MAX_SNAPSHOTS = 5;

export interface StatusPagesData {
  requests: number;
  seconds: number;
  snapshots: number;
  versionChecks: number;
  renders: number;
  dynamoRequests: number;
  readUnits: number;
  itemsReturned: number;
  oneSnapshot: { dynamoRequests: number; readUnits: number };
}

async function main() {
  const started = Date.now();
  const stack = await startTestStack({ pollers: false, log: () => {} });
  try {
    const f = await createStatusPageFixture(stack, await createUser(stack));
    installMeters();
    const base = `${stack.apiUrl}/status/${f.page.slug}`;
    const paths = [base, `${base}/api/v2/summary.json`, `${base}/badge.svg`, base];

    // what one snapshot costs, cold
    RenderCache.clear();
    const cold = snapshot();
    await RenderCache.get(f.page.slug);
    const one = since(cold).dynamo;

    RenderCache.clear();
    const before = snapshot();
    const t0 = performance.now();
    let next = 0;
    let failures = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS) {
          const i = next++;
          const res = await fetch(paths[i % paths.length]!);
          await res.arrayBuffer();
          if (res.status !== 200) failures++;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const d = since(before).dynamo;
    if (failures) throw new Error(`${failures} requests failed`);
    const dynamoRequests = Object.values(d.requests).reduce((n, v) => n + v, 0);
    const data: StatusPagesData = {
      requests: REQUESTS,
      seconds,
      snapshots: RenderCache.stats.snapshots,
      versionChecks: RenderCache.stats.versionChecks,
      renders: RenderCache.stats.renders,
      dynamoRequests,
      readUnits: d.readUnits,
      itemsReturned: d.itemsReturned,
      oneSnapshot: { dynamoRequests: Object.values(one.requests).reduce((n, v) => n + v, 0), readUnits: one.readUnits },
    };
    log(NAME, JSON.stringify(data));
    const result: BenchResult<StatusPagesData> = {
      name: NAME,
      title: "9. Status page under a traffic spike",
      command: commandFor(NAME),
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      tables: [
        {
          title: `${REQUESTS.toLocaleString("en-US")} requests for one status page`,
          intro:
            `One page (2 groups, 4 components, one linked to a monitor, 2 incidents, 1 maintenance), requested ${REQUESTS.toLocaleString("en-US")} times by ${CONCURRENCY} concurrent clients: ` +
            "the HTML page, summary.json and the SVG badge in turn. Snapshots are full reads of the page (render-cache.ts); version checks re-read the slug claim and the page " +
            "(at most every 10 s); renders count each representation built (HTML, JSON, badge) once per snapshot.",
          columns: ["Requests", "Time", "Requests/s", "Snapshots", "Version checks", "Renders", "DynamoDB requests", "Read units", "Items read", "One snapshot: requests / read units"],
          rows: [
            [
              REQUESTS,
              `${fmt(seconds)} s`,
              fmt(REQUESTS / seconds),
              data.snapshots,
              data.versionChecks,
              data.renders,
              dynamoRequests,
              fmt(d.readUnits),
              d.itemsReturned,
              `${data.oneSnapshot.dynamoRequests} / ${fmt(data.oneSnapshot.readUnits)}`,
            ],
          ],
        },
      ],
      budgets: [
        {
          name: `Status page: full page reads for ${REQUESTS.toLocaleString("en-US")} requests`,
          limit: `≤ ${MAX_SNAPSHOTS} (one per minute and page change)`,
          actual: `${data.snapshots} snapshots, ${data.renders} renders, ${dynamoRequests} DynamoDB requests`,
          pass: data.snapshots <= MAX_SNAPSHOTS,
        },
      ],
      data,
    };
    await stack.stop();
    finish(result);
  } catch (err) {
    await stack.stop();
    throw err;
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
