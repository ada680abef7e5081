// A citizen applies online (through the API, as the online form will), then tracks the case
// on the page with the receipt number and the access code, and is told why it cannot be
// rated before it ends.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, open, shot } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// Applies for the first licensing power a department decides that takes the application.
async function apply() {
  const units = await (await fetch(`${BASE}/api/v1/units?limit=500`)).json();
  for (const u of units.items.filter((u) => u.kind === "department")) {
    const items = await (await fetch(`${BASE}/api/v1/items?unit=${u.id}&category=01&limit=5`)).json();
    for (const i of items.items) {
      const res = await fetch(`${BASE}/api/v1/cases`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          item: i.item, unit: u.id,
          applicant: { kind: "person", name: "李四", number: "11010519491231002X" },
          channel: { kind: "online" },
        }),
      });
      if (res.status === 201) return res.json();
    }
  }
  throw new Error("no licensing power took the application");
}

test("a citizen tracks a case by its receipt number and access code", async () => {
  const receipt = await apply();
  const { page, problems, context } = await open(browser);
  await page.goto(`${BASE}/`);
  await page.getByRole("link", { name: "办件查询" }).click();
  await page.getByLabel("受理单号").fill(receipt.receipt);
  await page.getByLabel("查询码").fill("WRONG2345678ABCD");
  await page.getByRole("button", { name: "查询" }).click();
  assert.match(await page.locator("#track-error").innerText(), /受理单号或查询码不正确/);
  await page.getByLabel("查询码").fill(receipt.access_code);
  await page.getByRole("button", { name: "查询" }).click();
  await page.getByRole("heading", { name: "办理过程" }).waitFor();
  assert.doesNotMatch(page.url(), new RegExp(receipt.access_code), "the code is not in the address");
  assert.doesNotMatch(await page.locator("main").innerText(), /11010519491231002X/);
  await shot(page, "citizen-01-progress", true);
  await page.getByLabel("满意", { exact: true }).check();
  await page.getByRole("button", { name: "提交评价" }).click();
  assert.ok((await page.locator("#rate-error").innerText()).length > 0, "told why not yet");
  await shot(page, "citizen-02-rate-refused");
  assert.deepEqual(problems.filter((p) => !p.includes("422")), []);
  await context.close();
});
