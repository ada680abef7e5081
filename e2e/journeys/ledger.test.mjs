// Anyone checks a receipt in the browser: pasted, verified without the server; a receipt
// with one character changed is refused.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, open, shot } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("a receipt is verified in the browser, and a changed one is refused", async () => {
  const { page, problems, context } = await open(browser);
  await page.goto(`${BASE}/ledger`);
  // The demo signs checkpoints; wait for one that covers leaf 3.
  let receipt;
  for (let i = 0; i < 40 && !receipt; i++) {
    const res = await page.request.get(`${BASE}/api/v1/ledger/receipts/3`);
    if (res.ok()) receipt = await res.text(); else await page.waitForTimeout(250);
  }
  assert.ok(receipt, "a receipt for leaf 3");
  await page.reload();
  assert.ok(await page.getByRole("heading", { name: "最新签名检查点" }).isVisible());
  // The only request while checking: a consistency proof, checked in the browser.
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.getByLabel("回执", { exact: true }).fill(receipt);
  await page.getByRole("button", { name: "核验" }).click();
  await page.locator("#verify-result[data-outcome]").waitFor();
  assert.equal(await page.locator("#verify-result").getAttribute("data-outcome"), "ok", await page.locator("#verify-result").innerText());
  assert.ok(requests.every((u) => u.includes("/api/v1/ledger/proof/consistency")), requests.join(" "));
  await shot(page, "ledger-01-verified", true);
  // One character of the recorded event changed.
  const parsed = JSON.parse(receipt);
  parsed.entry.leaf = parsed.entry.leaf.replace(/"kind":"([a-z])/, (m, c) => m.slice(0, -1) + (c === "a" ? "b" : "a"));
  await page.getByLabel("回执", { exact: true }).fill(JSON.stringify(parsed));
  await page.getByRole("button", { name: "核验" }).click();
  await page.waitForFunction(() => document.querySelector("#verify-result").innerText.includes("核验失败"));
  assert.equal(await page.locator("#verify-result").getAttribute("data-outcome"), "bad");
  await shot(page, "ledger-02-refused");
  // A forged receipt: a one-leaf tree of its own with a made-up signature line. Every
  // number in it agrees with every other, but the published checkpoint's tree has no such
  // leaf, so it is refused.
  const forged = await page.evaluate(() => {
    const leaf = '{"kind":"forged"}';
    const bytes = [0, ...new TextEncoder().encode(leaf)];
    const hash = window.sm3(bytes);
    const b64 = btoa(String.fromCharCode(...hash.match(/../g).map((h) => parseInt(h, 16))));
    const origin = document.querySelector("#verify").dataset.origin;
    return JSON.stringify({
      alg: "sm3",
      entry: { index: 0, leaf_hash: hash, leaf },
      proof: { index: 0, size: 1, leaf_hash: hash, root: hash, proof: [] },
      checkpoint: `${origin}\n1\n${b64}\n\n— ${origin} AAAAAAAA\n`,
    });
  });
  await page.getByLabel("回执", { exact: true }).fill(forged);
  await page.getByRole("button", { name: "核验" }).click();
  await page.waitForFunction(() => document.querySelector("#verify-result").innerText.includes("核验失败"));
  assert.equal(await page.locator("#verify-result").getAttribute("data-outcome"), "bad");
  assert.deepEqual(problems, []);
  await context.close();
});
