// The in-browser receipt verifier (crates/quanze-web/assets/verify.js) against the RFC 6962
// inclusion vectors (SHA-256, transparency-dev/merkle): every good proof verifies, every
// tampered one is refused; and the vendored SM3 against GB/T 32905's example.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const assets = join(here, "../../crates/quanze-web/assets");
const require = createRequire(import.meta.url);
globalThis.sm3 = require(join(assets, "vendor/sm3-0.5.8.min.js"));
const verify = require(join(assets, "verify.js"));
const vectors = join(here, "../../crates/quanze-ledger/tests/data/rfc6962/inclusion");

test("SM3 of \"abc\" is GB/T 32905's example", async () => {
  const H = verify.hasher("sm3");
  const digest = await H(new TextEncoder().encode("abc"));
  assert.equal(verify.bytesToHex(digest), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
});

test("every RFC 6962 inclusion vector is judged as it should be", async () => {
  const H = verify.hasher("sha256");
  let good = 0, bad = 0;
  for (const dir of readdirSync(vectors)) {
    for (const file of readdirSync(join(vectors, dir))) {
      const v = JSON.parse(readFileSync(join(vectors, dir, file), "utf8"));
      let ok;
      try {
        const root = await verify.rootFromInclusion(
          H,
          v.leafHash ? verify.b64ToBytes(v.leafHash) : new Uint8Array(),
          v.leafIdx,
          v.treeSize,
          (v.proof ?? []).map(verify.b64ToBytes),
        );
        ok = v.root != null && verify.bytesToHex(root) === verify.bytesToHex(verify.b64ToBytes(v.root));
      } catch {
        ok = false;
      }
      assert.equal(ok, !v.wantErr, `${dir}/${file}: ${v.desc}`);
      if (v.wantErr) bad++; else good++;
    }
  }
  assert.ok(good >= 4 && bad >= 20, `${good} good and ${bad} tampered vectors read`);
});

test("every RFC 6962 consistency vector is judged as it should be", async () => {
  const H = verify.hasher("sha256");
  const dir = join(here, "../../crates/quanze-ledger/tests/data/rfc6962/consistency");
  let good = 0, bad = 0;
  for (const sub of readdirSync(dir)) {
    for (const file of readdirSync(join(dir, sub))) {
      const v = JSON.parse(readFileSync(join(dir, sub, file), "utf8"));
      let ok;
      try {
        ok = await verify.verifyConsistency(
          H, v.size1, v.size2,
          v.root1 ? verify.b64ToBytes(v.root1) : new Uint8Array(),
          v.root2 ? verify.b64ToBytes(v.root2) : new Uint8Array(),
          (v.proof ?? []).map(verify.b64ToBytes),
        );
      } catch {
        ok = false;
      }
      assert.equal(ok, !v.wantErr, `${sub}/${file}: ${v.desc}`);
      if (v.wantErr) bad++; else good++;
    }
  }
  assert.ok(good >= 4 && bad >= 10, `${good} good and ${bad} tampered vectors read`);
});
