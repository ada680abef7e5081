// A leader opens the dashboard: every chart drawn as SVG beside its table, the demo's cases
// counted, the same figures downloadable as xlsx.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, open, shot } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("the dashboard draws each chart beside its table", async () => {
  const { page, problems, context } = await open(browser);
  await page.goto(`${BASE}/dashboard`);
  const charts = await page.locator("svg.chart").count();
  assert.equal(charts, await page.locator("table.chart-table").count());
  assert.ok(charts >= 4, `${charts} charts`);
  // The open cases by alert add up to a positive number on the demo (a year of cases).
  const total = await page.locator("#case-alerts tfoot td").first().innerText();
  assert.ok(Number(total) > 0, `open cases: ${total}`);
  const download = await page.request.get(`${BASE}/dashboard.xlsx`);
  assert.equal(download.status(), 200);
  assert.equal((await download.body()).subarray(0, 2).toString(), "PK");
  await shot(page, "dashboard-01", true);
  assert.deepEqual(problems, []);
  await context.close();
});
