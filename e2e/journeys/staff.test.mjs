// A clerk signs in (sent there from the page they asked for), opens a unit's inbox with its
// red and yellow cases first, reads a red case's timeline, and signs out.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, open, shot } from "../lib.mjs";

const PASSWORD = "Quanze#2026";
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("a clerk signs in, works through the inbox by urgency and signs out", async () => {
  const { page, problems, context } = await open(browser);
  await page.goto(`${BASE}/staff`);
  await page.waitForURL(/\/staff\/login\?next=/);
  assert.match(await page.locator("main").innerText(), /同一账户连续登录失败 \d+ 次后.*最长 \d+ 分钟/);
  // A wrong password first: the message beside the fields, the name kept.
  await page.getByLabel("用户名").fill("clerk");
  await page.getByLabel("密码").fill("wrong-password");
  await page.getByRole("button", { name: "登录" }).click();
  assert.match(await page.locator("#login-error").innerText(), /用户名或密码不正确/);
  assert.equal(await page.getByLabel("用户名").inputValue(), "clerk");
  await shot(page, "staff-01-refused");
  await page.getByLabel("密码").fill(PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForURL(`${BASE}/staff`);
  await shot(page, "staff-02-desk");
  // The first unit with red cases.
  const units = await page.locator('a[href^="/staff/units/"]').evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  assert.ok(units.length > 0, "units to work for");
  let found = false;
  for (const href of units) {
    await page.goto(`${BASE}${href}`);
    if ((await page.locator("tr.alert-row-red").count()) > 0) { found = true; break; }
  }
  assert.ok(found, "a unit with red cases in the demo county");
  await shot(page, "staff-03-inbox");
  // Red before yellow before the rest, each by deadline.
  const sections = await page.locator("main h2").allInnerTexts();
  assert.ok(sections.findIndex((t) => t.includes("已超期")) < sections.findIndex((t) => t.includes("临近期限")));
  await page.locator("tr.alert-row-red a").first().click();
  await page.waitForURL(/\/staff\/cases\//);
  assert.ok(await page.getByRole("heading", { name: /办理过程/ }).isVisible());
  assert.match(await page.locator("header").innerText(), /红/);
  await shot(page, "staff-04-red-case", true);
  await page.getByRole("button", { name: "退出登录" }).click();
  await page.waitForURL(`${BASE}/`);
  await page.goto(`${BASE}/staff`);
  await page.waitForURL(/\/staff\/login/);
  assert.deepEqual(problems.filter((p) => !p.includes("401")), []);
  await context.close();
});
