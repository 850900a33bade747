import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import AxeBuilder from "@axe-core/playwright";
import type { Browser, Locator, Page } from "playwright-core";
import { expect } from "vitest";

/** The browser globals the page functions below use (this package is typed for Node, without the DOM's types). */
interface PageGlobals {
  innerWidth: number;
  document: { scrollingElement: { scrollWidth: number }; activeElement: unknown };
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** A 1280 px page of the app (in its own context: `contextOptions` such as a time zone), logged in as `email` (a kit user's password) and on the dashboard. */
export async function loggedInPage(
  browser: Browser,
  apiUrl: string,
  email: string,
  password: string,
  onPage?: (page: Page) => void,
  contextOptions: { timezoneId?: string } = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...contextOptions });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  onPage?.(page);
  await page.goto(`${apiUrl}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("heading", { name: "Monitors" }).waitFor();
  return page;
}
const shots = fileURLToPath(new URL("../../../web/screenshots/out/", import.meta.url));
// UPDATE_SCREENSHOTS=1 also copies the screens into docs/screenshots/ (committed, shown in the README and docs/web-app.md).
const docsShots = process.env.UPDATE_SCREENSHOTS === "1" ? fileURLToPath(new URL("../../../../docs/screenshots/", import.meta.url)) : null;

export async function expectAccessible(page: Page, name: string) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${name}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

/** On a phone and on a desktop: nothing wider than the screen, no serious axe violation, a screenshot. */
export async function checkScreen(page: Page, name: string, { docs = false } = {}) {
  mkdirSync(shots, { recursive: true });
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    const { scrollWidth, innerWidth } = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      return { scrollWidth: g.document.scrollingElement.scrollWidth, innerWidth: g.innerWidth };
    });
    expect(scrollWidth, `${name} at ${width} px is ${scrollWidth} px wide`).toBeLessThanOrEqual(innerWidth);
    await expectAccessible(page, `${name} at ${width} px`);
    const file = path.join(shots, `${name}-${width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    if (docsShots && docs) {
      mkdirSync(docsShots, { recursive: true });
      copyFileSync(file, path.join(docsShots, `${name}-${width}.png`));
    }
  }
}

/** Moves the focus with Tab alone, as a keyboard user would, until `target` has it. */
export async function tabTo(page: Page, target: Locator) {
  for (let i = 0; i < 60; i++) {
    if (await target.evaluate((el) => el === (globalThis as unknown as PageGlobals).document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached ${target}`);
}

export async function typeInto(page: Page, target: Locator, text: string) {
  await tabTo(page, target);
  await page.keyboard.press("Control+A");
  await page.keyboard.type(text);
}
