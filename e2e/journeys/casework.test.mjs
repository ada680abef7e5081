// The one-stop service end to end in the browser: a citizen reads a licence's guide and applies
// online (a wrong ID number refused first); the clerk asks for a correction, all in one notice;
// the citizen uploads the corrected material on the tracking page; the clerk accepts, the
// reviewer grants, the clerk delivers and closes; the citizen rates the closed case and leaves
// a suggestion; and a supervisor opens a unit's inbox to a red case.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BASE, launch, open, shot, signedIn } from "../lib.mjs";

const LETTER = join(dirname(fileURLToPath(import.meta.url)), "../../crates/quanze-core/tests/data/materials/letter.pdf");
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// A department's licensing power (category 01) and the department.
async function licence() {
  const units = await (await fetch(`${BASE}/api/v1/units?limit=500`)).json();
  for (const u of units.items.filter((u) => u.kind === "department")) {
    const items = await (await fetch(`${BASE}/api/v1/items?unit=${u.id}&category=01&limit=5`)).json();
    if (items.items.length > 0) return { unit: u.id, item: items.items[0].item };
  }
  throw new Error("no department licensing power");
}

/// Opens the case on the tracking page.
async function track(page, receipt, code) {
  await page.goto(`${BASE}/track`);
  await page.getByLabel("受理单号").fill(receipt);
  await page.getByLabel("查询码").fill(code);
  await page.getByRole("button", { name: "查询" }).click();
  await page.locator("#h-case").waitFor();
}

/// Takes a step on the staff's case page as `session` and waits for it to be done.
async function step(session, url, button, fill = async () => {}) {
  await session.page.goto(url);
  await fill(session.page);
  await session.page.getByRole("button", { name: button, exact: true }).click();
  await session.page.waitForURL(/\?done=/);
}

test("a citizen applies online, corrects once, is decided and delivered, and rates; a supervisor sees a red case", async () => {
  const { unit, item } = await licence();
  const citizen = await open(browser);
  const cz = citizen.page;
  await cz.goto(`${BASE}/items/${item}`);
  await cz.getByRole("link", { name: "在线申请" }).click();
  await cz.waitForURL(/\/apply\//);
  await cz.getByLabel("受理单位").selectOption(unit);
  await cz.getByLabel("申请人类型").selectOption("person");
  await cz.getByLabel("姓名或单位名称").fill("李四");
  await cz.getByLabel("身份证号或统一社会信用代码").fill("110105194912310021");
  await cz.getByRole("button", { name: "提交申请" }).click();
  assert.match(await cz.locator("#apply-error").innerText(), /身份证|号码|校验/);
  assert.equal(await cz.getByLabel("姓名或单位名称").inputValue(), "李四");
  await cz.getByLabel("身份证号或统一社会信用代码").fill("11010519491231002X");
  await cz.getByRole("button", { name: "提交申请" }).click();
  const receipt = (await cz.locator("#receipt").innerText()).trim();
  const code = (await cz.locator("#access-code").innerText()).trim();
  assert.ok(receipt && code, "the receipt and the access code");
  await shot(cz, "casework-01-applied", true);
  const caseUrl = `${BASE}/staff/cases/${receipt}`;

  // The clerk tells everything missing in one notice.
  const clerk = await signedIn(browser, "clerk", "/staff");
  await step(clerk, caseUrl, "一次性告知补正", (p) => p.getByLabel(/需补正的全部材料/).fill("申请书（表）\n身份证明复印件"));
  await shot(clerk.page, "casework-02-correction", true);

  // The citizen uploads the corrected material.
  await track(cz, receipt, code);
  assert.match(await cz.locator("main").innerText(), /一次性告知补正/);
  await cz.getByLabel(/^文件/).setInputFiles(LETTER);
  await cz.getByRole("button", { name: "提交补正材料" }).click();
  await cz.waitForURL(/supplied=1/);
  await shot(cz, "casework-03-supplied");

  // Accepted by the clerk, granted by the reviewer, delivered and closed by the clerk.
  await step(clerk, caseUrl, "受理");
  const reviewer = await signedIn(browser, "reviewer", "/staff");
  await step(reviewer, caseUrl, "作出决定", async (p) => {
    await p.getByLabel("决定", { exact: true }).selectOption("granted");
    await p.getByLabel(/许可证件编号/).fill("清人社许〔2026〕001号");
  });
  await reviewer.context.close();
  await step(clerk, caseUrl, "送达", (p) => p.getByLabel("送达方式").fill("电子送达"));
  await step(clerk, caseUrl, "办结");
  const closed = await clerk.page.locator("main").innerText();
  assert.match(closed, /申请书（表）/, "the uploaded material is filed");
  await shot(clerk.page, "casework-04-closed", true);
  assert.deepEqual(clerk.problems.filter((p) => !p.includes("422")), []);
  await clerk.context.close();

  // The citizen rates the closed case.
  await track(cz, receipt, code);
  assert.match(await cz.locator("main").innerText(), /已办结/);
  await cz.getByLabel("非常满意").check();
  await cz.getByRole("button", { name: "提交评价" }).click();
  await cz.waitForURL(/rated=1/);
  assert.match(await cz.locator("main").innerText(), /感谢您的评价/);
  await shot(cz, "casework-05-rated");
  // And leaves a suggestion, sent to the supervising unit with the day it must be answered by.
  await track(cz, receipt, code);
  await cz.getByLabel("类别").selectOption("suggestion");
  await cz.getByLabel(/^内容/).fill("网上申请可以增加材料模板下载");
  await cz.getByRole("button", { name: "提交投诉建议" }).click();
  await cz.waitForURL(/complained=/);
  assert.match(await cz.locator("main").innerText(), /将于 \d{4}-\d{2}-\d{2} 前答复/);
  assert.deepEqual(citizen.problems.filter((p) => !p.includes("422")), []);
  await citizen.context.close();

  // A supervisor opens the units' inboxes until one has a red case.
  const supervisor = await signedIn(browser, "supervisor", "/staff");
  const sp = supervisor.page;
  const inboxes = await sp.locator('a[href^="/staff/units/"]').evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  let red = false;
  for (const href of inboxes) {
    await sp.goto(`${BASE}${href}`);
    if ((await sp.locator("tr.alert-row-red").count()) > 0) { red = true; break; }
  }
  assert.ok(red, "the supervisor sees a red case");
  await sp.locator("tr.alert-row-red a").first().click();
  assert.match(await sp.locator("header").innerText(), /红/);
  await shot(sp, "casework-06-supervisor-red", true);
  await supervisor.context.close();
});
