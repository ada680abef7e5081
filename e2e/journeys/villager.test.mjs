// A villager searches, opens an item and reads its guide — on a desktop, on a phone, with
// the keyboard and with JavaScript off.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, open, shot } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("a villager searches, opens an item and reads its guide", async () => {
  const { page, problems, context } = await open(browser);
  await page.goto(`${BASE}/`);
  await shot(page, "villager-01-home");
  // The search box on every page.
  await page.getByRole("searchbox", { name: "搜索事项" }).fill("临时占用绿地");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/search\?q=/);
  const hits = page.locator("ol.hits li");
  assert.ok((await hits.count()) > 0, "hits are shown");
  assert.ok((await page.locator("ol.hits b").count()) > 0, "the words are marked");
  await shot(page, "villager-02-results");
  // A second search from the search page: htmx swaps the results and keeps the address.
  await page.getByLabel("要办的事").fill("低保");
  await page.getByRole("button", { name: "搜索", exact: true }).last().click();
  await page.waitForURL(/q=%E4%BD%8E%E4%BF%9D/);
  await page.locator("ol.hits li").first().waitFor();
  assert.match(await page.locator("ol.hits").innerText(), /最低生活保障/);
  await shot(page, "villager-03-dibao");
  // The first hit's guide.
  const first = page.locator("ol.hits li h3 a").first();
  const name = (await first.innerText()).trim();
  await first.click();
  await page.waitForURL(/\/items\//);
  assert.equal((await page.locator("h1").innerText()).trim(), name);
  for (const part of ["基本信息", "谁可以办理", "设定依据"]) {
    assert.ok(await page.getByRole("heading", { name: part }).isVisible(), part);
  }
  await shot(page, "villager-04-guide", true);
  assert.deepEqual(problems, [], "no console errors, no CSP violations");
  await context.close();
});

test("the guide reads on a phone", async () => {
  const { page, problems, context } = await open(browser, {
    viewport: { width: 375, height: 812 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  await page.goto(`${BASE}/search?q=${encodeURIComponent("营业执照")}`);
  await page.locator("ol.hits li h3 a").first().click();
  await page.waitForURL(/\/items\//);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page is not wider than the phone (${overflow}px over)`);
  await shot(page, "villager-05-phone");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the keyboard reaches the skip link first and the search box from it", async () => {
  const { page, context } = await open(browser);
  await page.goto(`${BASE}/search`);
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "跳到正文");
  await page.keyboard.press("Enter");
  assert.match(page.url(), /#main$/);
  await context.close();
});

test("search and the guide work with JavaScript off", async () => {
  const { page, context } = await open(browser, { javaScriptEnabled: false });
  await page.goto(`${BASE}/search`);
  await page.getByLabel("要办的事").fill("农村建房");
  await page.getByRole("button", { name: "搜索", exact: true }).last().click();
  await page.waitForURL(/\/search\?q=/);
  assert.ok((await page.locator("ol.hits li").count()) > 0, "hits without script");
  await page.locator("ol.hits li h3 a").first().click();
  await page.waitForURL(/\/items\//);
  assert.ok(await page.getByRole("heading", { name: "谁可以办理" }).isVisible());
  // Bad input: the message beside the field, in Chinese.
  await page.goto(`${BASE}/search?q=${"x".repeat(200)}`);
  assert.match(await page.locator("#q-error").innerText(), /过长/);
  await shot(page, "villager-06-too-long");
  await context.close();
});
