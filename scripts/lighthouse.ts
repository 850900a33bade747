/**
 * Lighthouse (mobile, its default settings) on the pages people see first: the login screen, the
 * dashboard of a signed-in user with a monitor, and a public status page. Fails unless every page
 * scores 100 for accessibility and at least 95 for performance.
 *
 * Runs against the local stack (`npm start`'s server with the built web app, in process) and
 * Debian's Chromium, which Lighthouse drives through its debugging port; the dashboard is audited
 * signed in (Lighthouse keeps the browser's cookies: the refresh cookie signs the app in).
 * Lighthouse 12.2.3: 13 needs Node 22. Too slow for `npm test` (about a minute on a quiet
 * machine): run it with `npm run lighthouse` (docs/tests.md). `LIGHTHOUSE_REPORTS=dir` keeps the
 * JSON reports.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import lighthouse from "lighthouse";
import { chromium } from "playwright-core";
import { startTarget, startTestStack } from "@uptime/local/testing";
import { ensureWebBuild } from "@uptime/local/web";
import { createStatusPageFixture } from "@uptime/e2e/kit/status-page-fixture";
import { TEST_PASSWORD, createUser } from "@uptime/e2e/kit/test-users";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const MIN = { accessibility: 100, performance: 95 };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function main() {
  const web = await ensureWebBuild();
  const [stack, target] = await Promise.all([startTestStack({ webDir: web.dir, pollers: false, log: () => {} }), startTarget()]);
  const profile = mkdtempSync(path.join(os.tmpdir(), "uptime-lighthouse-"));
  const port = await freePort();
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ["--no-sandbox", `--remote-debugging-port=${port}`],
  });
  let failed = false;
  try {
    const user = await createUser(stack);
    const monitor = await user.call("POST", "/v1/monitors", { name: "Shop", url: target.url });
    await user.call("POST", `/v1/monitors/${monitor.body.id}/check`);
    const f = await createStatusPageFixture(stack, user);
    const statusUrl = `${stack.apiUrl}/status/${f.page.slug}`;
    // Deployed, CloudFront answers most visits from its cache; here the first render is made before the audit.
    await fetch(statusUrl);

    /** Signs in through the app, as a person would: the refresh cookie stays in the browser for the dashboard's audit. */
    async function signIn() {
      const page = await browser.newPage();
      await page.goto(`${stack.apiUrl}/login`);
      await page.getByLabel("Email").fill(user.email);
      await page.getByLabel("Password").fill(TEST_PASSWORD);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.getByRole("link", { name: "Shop", exact: true }).waitFor();
      await page.close();
    }

    // First visits (Lighthouse clears the origin's storage), then the dashboard signed in.
    const pages = [
      { name: "login", url: `${stack.apiUrl}/login`, before: undefined },
      { name: "status page", url: statusUrl, before: undefined },
      { name: "dashboard", url: `${stack.apiUrl}/`, before: signIn },
    ];
    const reports = process.env.LIGHTHOUSE_REPORTS;
    if (reports) mkdirSync(reports, { recursive: true });
    const rows: string[] = [];
    for (const p of pages) {
      await p.before?.();
      const started = Date.now();
      const result = await lighthouse(p.url, {
        port,
        output: "json",
        logLevel: "error",
        onlyCategories: ["performance", "accessibility"],
        // keep the session cookie for the dashboard; the others are audited as a first visit
        disableStorageReset: p.before !== undefined,
      });
      if (!result) throw new Error(`Lighthouse returned nothing for ${p.url}`);
      const { lhr } = result;
      const score = (c: "performance" | "accessibility") => Math.round((lhr.categories[c]?.score ?? 0) * 100);
      const perf = score("performance");
      const a11y = score("accessibility");
      const ok = perf >= MIN.performance && a11y >= MIN.accessibility;
      failed ||= !ok;
      rows.push(
        `| ${p.name} | ${a11y} | ${perf} | ${lhr.finalDisplayedUrl.replace(stack.apiUrl, "")} | ${lhr.environment.benchmarkIndex} | ${((Date.now() - started) / 1000).toFixed(1)} s | ${ok ? "pass" : "FAIL"} |`,
      );
      if (!ok) {
        const audits = Object.values(lhr.audits).filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== "informative" && a.scoreDisplayMode !== "notApplicable");
        for (const a of audits) console.log(`  ${p.name}: ${a.id} (${a.score}) ${a.displayValue ?? ""}`);
      }
      if (reports) writeFileSync(path.join(reports, `${p.name.replace(/\W+/g, "-")}.json`), result.report as string);
    }
    console.log(`\nLighthouse ${"12.2.3"} (mobile), minimum accessibility ${MIN.accessibility}, performance ${MIN.performance}\n`);
    // Lighthouse's CPU benchmark of this machine at the time: its mobile setting slows the CPU 4x for a machine of about 1,000 to 2,000; a busy machine scores lower and so does its performance
    console.log("| Page | Accessibility | Performance | Audited | CPU benchmark index | Time | Result |\n| --- | ---: | ---: | --- | ---: | ---: | --- |");
    console.log(rows.join("\n"));
  } finally {
    await browser.close();
    await target.stop();
    await stack.stop();
    rmSync(profile, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

await main();
