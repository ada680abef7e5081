// A department hands a power down to a town on the workbench (its service window moved
// forward), the town's clerk records its readiness (a training without its date refused
// first), and the portal's authority lookup changes from "cannot" to "can" for that town.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, open, shot, signedIn as signIn } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const signedIn = (username) => signIn(browser, username, "/staff/grants");

/// What the portal's authority lookup says for `town` (its id) on the grant's page link.
async function lookup(page, href) {
  await page.goto(`${BASE}${href}`);
  return page.locator("#h-answer + p").innerText();
}

test("a department grants a power to a town, the town gets ready, and the lookup changes", async () => {
  const editor = await signedIn("editor");
  const ed = editor.page;
  // Powers already handed down, to pick one that is not.
  const granted = await ed.locator("tbody tr td:first-child").allInnerTexts();
  await ed.getByRole("link", { name: "新的赋权" }).click();
  const departments = await ed.locator("#department option").evaluateAll((os) => os.map((o) => o.value));
  let item;
  for (const d of departments) {
    await ed.goto(`${BASE}/staff/grants/new?department=${d}`);
    const items = await ed.locator("#item option").evaluateAll((os) => os.map((o) => ({ value: o.value, name: o.textContent })));
    item = items.find((i) => !granted.includes(i.name));
    if (item) break;
  }
  assert.ok(item, "a department power not yet handed down");
  await ed.locator("#item").selectOption(item.value);
  await ed.getByLabel("下放方式").selectOption("window_forward");
  await ed.getByLabel("批次").fill("2027年第一批（e2e）");
  const town = ed.locator('fieldset input[type="checkbox"]').first();
  const townName = (await ed.locator("fieldset label.check").first().innerText()).trim();
  await town.check();
  await ed.getByRole("button", { name: "赋权" }).click();
  await ed.waitForURL(/\/staff\/grants\/[^/?]+\?done=granted/);
  const grantUrl = ed.url().split("?")[0];
  const article = ed.locator("article.town").first();
  assert.match(await article.innerText(), /待完善/);
  await shot(ed, "devolution-01-granted", true);
  const lookupHref = await article.getByRole("link", { name: /权责查询/ }).getAttribute("href");
  await editor.context.close();

  // Before the town is ready, the portal says it cannot exercise the power.
  const portal = await open(browser);
  assert.match(await lookup(portal.page, lookupHref), /不能行使/);
  await shot(portal.page, "devolution-02-lookup-before", true);

  // The town's clerk records its readiness: first without the training's date.
  const clerk = await signedIn("clerk");
  const cl = clerk.page;
  await cl.goto(grantUrl);
  const first = cl.locator("article.town").first();
  await first.locator("summary").click();
  const today = new Date().toISOString().slice(0, 10);
  await first.getByLabel("培训人员").fill("王五");
  await first.getByLabel("培训课程").fill("窗口受理业务培训");
  await first.getByLabel("已开通业务系统权限").check();
  await first.getByLabel("已刻制（备案）印章").check();
  await first.getByLabel("已落实经费").check();
  await first.getByLabel(/办事指南/).fill("便民服务中心办事指南");
  await first.getByLabel("承接确认书日期").fill(today);
  await first.getByRole("button", { name: "保存承接准备情况" }).click();
  const again = cl.locator("article.town").first();
  assert.match(await again.locator('[role="alert"]').innerText(), /培训日期/);
  assert.equal(await again.getByLabel("培训课程").inputValue(), "窗口受理业务培训");
  await again.getByLabel("培训日期").fill(today);
  await again.getByRole("button", { name: "保存承接准备情况" }).click();
  await cl.waitForURL(/done=readiness/);
  const ready = await cl.locator("article.town").first().innerText();
  assert.match(ready, /已具备承接条件/);
  assert.match(ready, /正在行使/);
  await shot(cl, "devolution-03-ready", true);
  assert.deepEqual(clerk.problems.filter((p) => !p.includes("422")), []);
  await clerk.context.close();

  // Now the portal's lookup says the town can, at its window, with the department deciding.
  const answer = await lookup(portal.page, lookupHref);
  assert.match(answer, /可以行使/);
  assert.ok(answer.includes("赋权"), answer);
  assert.match(await portal.page.locator("main").innerText(), new RegExp(townName.replace(/[()（）]/g, ".")));
  await shot(portal.page, "devolution-04-lookup-after", true);
  assert.deepEqual(portal.problems, []);
  await portal.context.close();
});
