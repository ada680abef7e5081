// Anyone reads the published lists: the index, a revised list's history, and what changed
// between its versions, marked.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, open, shot } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("anyone reads a list's history and the changes of a revision", async () => {
  const { page, problems, context } = await open(browser);
  await page.goto(`${BASE}/`);
  await page.getByRole("link", { name: "清单公布" }).click();
  await page.waitForURL(/\/lists$/);
  await shot(page, "lists-01-index");
  // The first list with more than one published version.
  const rows = page.locator("tbody tr");
  const n = await rows.count();
  let opened = false;
  for (let i = 0; i < n && !opened; i++) {
    const count = Number((await rows.nth(i).locator("td.num").innerText()).trim());
    if (count >= 2) {
      await rows.nth(i).locator("a").first().click();
      opened = true;
    }
  }
  assert.ok(opened, "a revised list");
  await page.waitForURL(/\/lists\/[0-9a-f-]+$/);
  await shot(page, "lists-02-history");
  await page.getByRole("link", { name: /与第\d+版比较/ }).first().click();
  await page.waitForURL(/\/diff\?from=/);
  assert.match(await page.locator("main").innerText(), /新增 \d+ 项，删除 \d+ 项，调整 \d+ 项/);
  assert.ok((await page.locator("ins, del").count()) > 0, "changes are marked");
  await shot(page, "lists-03-diff", true);
  assert.deepEqual(problems, []);
  await context.close();
});
