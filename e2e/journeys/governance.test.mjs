// The staffing office revises a department's list on the workbench: drafts a change set
// (a new handling office for one item, another item removed, a new item with its guide from
// the item editor), sends an opinion round; a clerk
// objects for the unit asked; the office resolves the objection, closes the round and submits
// for legality review; the justice bureau passes each item; the leader approves (a malformed
// document number first) and publishes; the portal then shows the new version and its diff.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, open, shot, signedIn as signIn } from "../lib.mjs";

const OFFICE = "政务服务中心综合窗口（e2e）";
const NEW_ITEM = "临时占用城市绿化用地审批（e2e）";
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const signedIn = (username) => signIn(browser, username, "/staff/change-sets");

test("the staffing office takes a change set through review to publication, and the portal shows it", async () => {
  const editor = await signedIn("editor");
  const ed = editor.page;
  await ed.getByRole("link", { name: "起草调整方案" }).click();
  // The first list with at least two items.
  const lists = await ed.locator("#list option").evaluateAll((os) => os.map((o) => ({ value: o.value, name: o.textContent })));
  let chosen;
  for (const l of lists) {
    await ed.goto(`${BASE}/staff/change-sets/new?list=${l.value}`);
    if ((await ed.locator("tbody tr").count()) >= 2) { chosen = l; break; }
  }
  assert.ok(chosen, "a published list with two items");
  const rows = ed.locator("tbody tr");
  const changedName = (await rows.nth(0).locator("td").first().innerText()).trim();
  const removedName = (await rows.nth(1).locator("td").first().innerText()).trim();
  await ed.getByLabel("生效日期").fill("2027-07-01");
  await ed.getByLabel("调整依据").fill("县委编委会议纪要");
  await rows.nth(0).locator("select").selectOption("office");
  await rows.nth(0).locator("input").fill(OFFICE);
  await rows.nth(1).locator("select").selectOption("remove");
  // A reason of blanks passes the browser's check but not the server's: refused beside the
  // form, with what was typed kept.
  await ed.getByLabel("调整理由").fill("   ");
  await ed.getByRole("button", { name: "起草" }).click();
  assert.match(await ed.locator("#draft-error").innerText(), /理由/);
  assert.equal(await rows.nth(0).locator("input").inputValue(), OFFICE);
  await shot(ed, "governance-01-draft-refused", true);
  await ed.getByLabel("调整理由").fill("推行政务服务一窗受理");
  await ed.getByRole("button", { name: "起草" }).click();
  await ed.waitForURL(/\/staff\/change-sets\/[^/?]+\?done=drafted/);
  const setUrl = ed.url().split("?")[0];
  assert.equal(await ed.locator("#stage").innerText(), "起草");

  // A new item with its guide, written into the draft from the item editor: a period that is
  // no period is named beside its field, the rest kept; corrected, the item joins the draft.
  await ed.locator("#add-list").selectOption(chosen.value);
  await ed.getByRole("button", { name: "打开事项编辑" }).click();
  await ed.waitForURL(/\/item\?list=/);
  await ed.getByLabel("事项类型").fill("行政许可");
  await ed.getByLabel("事项名称").fill(NEW_ITEM);
  await ed.getByLabel("设定依据").fill("《城市绿化条例》第十九条");
  await ed.getByLabel("责任事项", { exact: true }).fill("1.受理责任：公示应当提交的材料\n2.审查责任：对申请材料进行审查");
  await ed.getByLabel("追责情形").fill("1.对符合法定条件的申请不予受理的");
  await ed.getByLabel("申请材料").fill("申请书【纸质，1份】");
  await ed.getByLabel("法定办结时限").fill("很快");
  await ed.getByLabel("调整理由").fill("落实城市绿化条例");
  await ed.getByLabel("调整依据").fill("县委编委会议纪要");
  await ed.getByRole("button", { name: "写入调整方案" }).click();
  const periodError = ed.locator('input[name="col:法定办结时限"] ~ p.field-error');
  assert.ok(await periodError.isVisible(), "the period's error beside it");
  assert.equal(await ed.getByLabel("申请材料").inputValue(), "申请书【纸质，1份】");
  await shot(ed, "governance-01b-item-editor-refused", true);
  await ed.getByLabel("法定办结时限").fill("20个工作日");
  await ed.getByRole("button", { name: "写入调整方案" }).click();
  await ed.waitForURL(/done=item/);
  assert.match(await ed.locator("#h-changes").innerText(), /（3 项）/);
  assert.ok((await ed.locator("main").innerText()).includes(NEW_ITEM));

  await ed.getByRole("button", { name: /发起第 1 轮征求意见/ }).click();
  await ed.waitForURL(/done=send_round/);
  assert.match(await ed.locator("#stage").innerText(), /征求意见/);
  await shot(ed, "governance-02-round-sent", true);

  // The clerk objects for the unit asked.
  const clerk = await signedIn("clerk");
  await clerk.page.goto(setUrl);
  await clerk.page.getByLabel("意见", { exact: true }).selectOption("object");
  await clerk.page.getByLabel(/^理由/).fill("窗口人员尚未到位");
  await clerk.page.getByRole("button", { name: "提交反馈" }).click();
  await clerk.page.waitForURL(/done=reply/);
  await clerk.context.close();

  // The office resolves it, closes the round and submits for review.
  await ed.goto(setUrl);
  assert.match(await ed.locator("main").innerText(), /窗口人员尚未到位/);
  await ed.getByLabel("办理结果").selectOption("not_adopted");
  await ed.locator('form:has(input[value="resolve"]) input[name="reason"]').fill("已同步安排人员培训");
  await ed.getByRole("button", { name: "办理", exact: true }).click();
  await ed.waitForURL(/done=resolve/);
  await ed.getByRole("button", { name: "结束本轮征求意见" }).click();
  await ed.waitForURL(/done=close_round/);
  await ed.getByRole("button", { name: "提交合法性审查" }).click();
  await ed.waitForURL(/done=submit_for_review/);
  assert.equal(await ed.locator("#stage").innerText(), "合法性审查");

  // The justice bureau passes each item.
  const justice = await signedIn("justice");
  await justice.page.goto(setUrl);
  await shot(justice.page, "governance-03-legality-review", true);
  for (;;) {
    const button = justice.page.getByRole("button", { name: "出具意见" });
    if ((await button.count()) === 0) break;
    await button.first().click();
    await justice.page.waitForLoadState();
  }
  assert.equal(await justice.page.locator("#review-outcome").innerText(), "审查通过");
  await justice.context.close();
  await ed.goto(setUrl);
  await ed.getByRole("button", { name: "提交审定" }).click();
  await ed.waitForURL(/done=submit_for_approval/);
  await editor.context.close();

  // The leader approves — a malformed document number is refused beside its field — and publishes.
  const leader = await signedIn("leader");
  const le = leader.page;
  await le.goto(setUrl);
  await le.getByLabel("审定会议").fill("县委编委2027年第1次会议");
  await le.getByLabel("审定日期").fill("2026-12-01");
  await le.getByLabel(/文号/).fill("30号");
  await le.getByRole("button", { name: "审定通过" }).click();
  assert.ok(await le.locator("#approve-error").isVisible());
  assert.equal(await le.getByLabel(/文号/).inputValue(), "30号");
  await le.getByLabel(/文号/).fill("清编〔2026〕30号");
  await le.getByRole("button", { name: "审定通过" }).click();
  await le.waitForURL(/done=approve/);
  await le.getByRole("button", { name: "公布" }).click();
  await le.waitForURL(/done=publish/);
  assert.match(await le.locator("main").innerText(), /已公布，清单新版本已生效/);
  await shot(le, "governance-04-published", true);
  // The refused approval's 422 is the one message the browser logs.
  assert.deepEqual(leader.problems.filter((p) => !p.includes("422")), []);
  await leader.context.close();

  // The portal: the list's history has the new version, and its diff shows both changes.
  const { page, problems, context } = await open(browser);
  await page.goto(`${BASE}/lists/${chosen.value}`);
  assert.match(await page.locator("main").innerText(), /清编〔2026〕30号/);
  await page.getByRole("link", { name: /与第\d+版比较/ }).last().click();
  await page.waitForURL(/\/diff\?/);
  const diff = await page.locator("main").innerText();
  assert.ok(diff.includes(removedName), "the removed item");
  assert.ok(diff.includes(changedName) && diff.includes(OFFICE), "the new office");
  assert.ok(diff.includes(NEW_ITEM), "the item added from the editor");
  await shot(page, "governance-05-portal-diff", true);
  assert.deepEqual(problems, []);
  await context.close();
});
