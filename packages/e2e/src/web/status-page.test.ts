import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import AxeBuilder from "@axe-core/playwright";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { createUser } from "../kit/test-users";
import { createStatusPageFixture, type StatusPageFixture } from "../kit/status-page-fixture";

/*
 * The public status page in headless Chromium: a phone (390 px) and a desktop (1280 px), in light
 * and dark, with nothing wider than the viewport, no serious accessibility problem and no request
 * leaving the page's own origin.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
const shots = fileURLToPath(new URL("../../../web/screenshots/out/", import.meta.url));

it.runIf(!haveChromium && !!process.env.CI)("needs Chromium on CI", () => {
  expect(haveChromium, `${CHROMIUM} is missing (apt-get install -y chromium)`).toBe(true);
});

describe.runIf(haveChromium)("public status page in a browser", { timeout: 60_000 }, () => {
  let stack: TestStack;
  let browser: Browser;
  let f: StatusPageFixture;
  const external: string[] = [];

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startTestStack({ pollers: false, log: () => {} }), chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] })]);
    f = await createStatusPageFixture(stack, await createUser(stack));
    mkdirSync(shots, { recursive: true });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function open(width: number, colorScheme: "light" | "dark"): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
    const page = await context.newPage();
    page.on("request", (req) => {
      if (!req.url().startsWith(stack.apiUrl) && !req.url().startsWith("data:")) external.push(req.url());
    });
    const res = await page.goto(`${stack.apiUrl}/status/${f.page.slug}`);
    expect(res?.status()).toBe(200);
    return page;
  }

  for (const width of [390, 1280]) {
    for (const scheme of ["light", "dark"] as const) {
      it(`fits ${width} px (${scheme}) with nothing cut off and no serious accessibility problem`, async () => {
        const page = await open(width, scheme);
        await expect.poll(() => page.locator("#banner").textContent()).toBe("Partial System Outage");
        // Runs in the page (this package has no DOM types).
        const overflow = await page.evaluate(() => {
          const document = (globalThis as any).document;
          const doc = document.documentElement;
          const wide = [...document.querySelectorAll("body *")]
            .filter((el: any) => el.getBoundingClientRect().right > doc.clientWidth + 0.5)
            .map((el: any) => `${el.tagName.toLowerCase()}.${el.className}`);
          return { scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, wide: wide.slice(0, 5) };
        });
        expect(overflow.wide).toEqual([]);
        expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.clientWidth);
        // every component's 90 bars are visible and at least a pixel wide
        const narrowest = await page.evaluate(() => Math.min(...[...(globalThis as any).document.querySelectorAll(".bars i")].map((bar: any) => bar.getBoundingClientRect().width)));
        expect(narrowest).toBeGreaterThan(1);
        const { violations } = await new AxeBuilder({ page }).analyze();
        const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
        expect(bad.map((v) => `${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
        await page.screenshot({ path: path.join(shots, `status-page-${scheme}-${width}.png`), fullPage: true });
        expect(external).toEqual([]);
        await page.context().close();
      });
    }
  }

  it("opens a collapsed group and shows a day's figure as its tooltip", async () => {
    const page = await open(1280, "light");
    const data = page.locator("details.card", { has: page.locator("summary", { hasText: /^Data/ }) });
    expect(await data.getAttribute("open")).toBeNull();
    await data.locator("summary").click();
    expect(await data.getAttribute("open")).not.toBeNull();
    const title = await page.locator(".bars i").last().getAttribute("title");
    expect(title).toMatch(/^Today, \d{1,2} \w+ \d{4}: (no data|[\d.]+% uptime)/);
    await page.context().close();
  });
});
