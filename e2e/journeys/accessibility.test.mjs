// WCAG 2.1 AA checked by axe-core (the rules it can decide automatically: names and labels,
// contrast, landmarks, headings, language, ARIA) on the public pages and the staff's, as a
// reader sees them: no violation may remain. Keyboard use is walked in the villager journey.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { BASE, launch, shot } from "../lib.mjs";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// The violations of WCAG 2.1 A and AA on the page open in `page`.
async function audit(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}

async function firstHref(page, path, selector) {
  await page.goto(`${BASE}${path}`);
  return page.locator(selector).first().getAttribute("href");
}

test("the public and staff pages have no WCAG 2.1 AA violation axe can find", async () => {
  // axe is injected through the browser's debugging channel: the pages' CSP allows no
  // inline script, rightly, so the audit's context bypasses it (the pages are not changed).
  const context = await browser.newContext({ locale: "zh-CN", bypassCSP: true });
  const page = await context.newPage();
  const item = await firstHref(page, "/items", 'main a[href^="/items/"]');
  const list = await firstHref(page, "/lists", 'main a[href^="/lists/"]');
  const pages = ["/", "/search?q=营业执照", "/items", item, `${item}/authority`, "/lists", list, "/announcements",
    "/track", "/ledger", "/dashboard", "/establishment", "/reports/consistency", "/reports/devolution", "/staff/login"];
  const found = [];
  for (const path of pages) {
    await page.goto(`${BASE}${path}`);
    for (const v of await audit(page)) found.push(`${path}: ${v}`);
  }
  // The staff's pages, signed in.
  await page.goto(`${BASE}/staff/login?next=%2Fstaff`);
  await page.getByLabel("用户名").fill("leader");
  await page.getByLabel("密码").fill("Quanze#2026");
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForURL(`${BASE}/staff`);
  const inbox = await firstHref(page, "/staff", 'a[href^="/staff/units/"]');
  const grant = await firstHref(page, "/staff/grants", 'main a[href^="/staff/grants/0"]');
  const set = await firstHref(page, "/staff/change-sets", 'main a[href^="/staff/change-sets/0"]');
  const law = await firstHref(page, "/staff/laws", 'main a[href^="/staff/laws/0"]');
  await page.goto(`${BASE}/staff/change-sets/new`);
  const editor = `/staff/change-sets/new/item?list=${await page.locator("#list option").first().getAttribute("value")}`;
  for (const path of ["/staff", inbox, "/staff/laws", law, "/staff/change-sets", set, "/staff/change-sets/new", editor, "/staff/grants", grant, "/staff/grants/new"]) {
    await page.goto(`${BASE}${path}`);
    for (const v of await audit(page)) found.push(`${path}: ${v}`);
  }
  // The same pages in English (the choice remembered by a cookie): each says so in its
  // `lang`, and the audit holds there too.
  await page.goto(`${BASE}/?lang=en`);
  assert.equal(await page.getAttribute("html", "lang"), "en");
  for (const path of ["/", item, "/dashboard", "/staff", inbox]) {
    await page.goto(`${BASE}${path}`);
    assert.equal(await page.getAttribute("html", "lang"), "en", path);
    for (const v of await audit(page)) found.push(`${path} (en): ${v}`);
  }
  await shot(page, "english-staff-inbox");
  await page.goto(`${BASE}${item}`);
  await shot(page, "english-item");
  // The audit itself can fail: an image without a text alternative is found.
  await page.evaluate(() => document.querySelector("main").append(Object.assign(document.createElement("img"), { src: "/assets/favicon.svg" })));
  assert.ok((await audit(page)).some((v) => v.startsWith("image-alt")), "axe finds a missing alt");
  await context.close();
  assert.deepEqual(found, []);
});
