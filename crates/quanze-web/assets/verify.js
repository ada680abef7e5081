// 回执核验 — checks a ledger receipt in the browser, never trusting the server's word: the
// leaf's hash (RFC 9162: H(0x00 || leaf)), the inclusion proof up to the root
// (H(0x01 || left || right)), that the receipt's checkpoint is this log's and commits to that
// root and size, and that the checkpoint published on the page (the trust anchor, cosigned by
// the witnesses) extends it: the same tree, or a consistency proof fetched from the log and
// checked here (RFC 9162 §2.1.4.2). The checkpoint's signature is not checked in the
// browser: a forged receipt fails at the anchor, whose tree it is not in. SM3 comes from the
// vendored sm-crypto (assets/vendor/sm3-0.5.8.min.js), SHA-256 from the browser (WebCrypto).
// Written by hand: the proof walks are a few dozen lines of RFC 9162, which no small browser
// library offers on its own.
(function (root) {
  "use strict";

  function hexToBytes(hex) {
    if (typeof hex !== "string" || hex.length % 2 !== 0 || /[^0-9a-fA-F]/.test(hex)) {
      throw new Error("不是十六进制摘要：" + String(hex).slice(0, 80));
    }
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
    return out;
  }

  function bytesToHex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function b64ToBytes(text) {
    const raw = atob(text);
    const out = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function concat(parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }

  /// The hash function of `alg`, as an async function of bytes.
  function hasher(alg) {
    if (alg === "sm3") {
      if (typeof root.sm3 !== "function") throw new Error("SM3 脚本未加载");
      return async (bytes) => hexToBytes(root.sm3(Array.from(bytes)));
    }
    if (alg === "sha256") {
      if (!root.crypto || !root.crypto.subtle) throw new Error("浏览器在非安全连接下不提供 SHA-256");
      return async (bytes) => new Uint8Array(await root.crypto.subtle.digest("SHA-256", bytes));
    }
    throw new Error("未知的摘要算法：" + alg);
  }

  function equal(a, b) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }

  /// RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or an error.
  async function rootFromInclusion(H, leafHash, index, size, proof) {
    let fn = BigInt(index);
    let sn = BigInt(size) - 1n;
    if (fn > sn) throw new Error("记录序号 " + index + " 超出树的大小 " + size);
    let r = leafHash;
    for (const p of proof) {
      if (sn === 0n) throw new Error("证明的哈希多于这棵树所需");
      if ((fn & 1n) === 1n || fn === sn) {
        r = await H(concat([Uint8Array.of(1), p, r]));
        if ((fn & 1n) === 0n) {
          while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
        }
      } else {
        r = await H(concat([Uint8Array.of(1), r, p]));
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    if (sn !== 0n) throw new Error("证明的哈希少于这棵树所需");
    return r;
  }

  /// RFC 9162 §2.1.4.2: whether `proof` shows the tree of `size2` leaves and root `root2`
  /// extends the tree of `size1` leaves and root `root1`.
  async function verifyConsistency(H, size1, size2, root1, root2, proof) {
    let n1 = BigInt(size1), n2 = BigInt(size2);
    if (n1 > n2) return false;
    if (n1 === n2) return proof.length === 0 && equal(root1, root2);
    if (n1 === 0n || proof.length === 0) return false;
    let path = proof;
    if ((n1 & (n1 - 1n)) === 0n) path = [root1, ...proof];
    let fn = n1 - 1n, sn = n2 - 1n;
    while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
    let fr = path[0], sr = path[0];
    for (const c of path.slice(1)) {
      if (sn === 0n) return false;
      if ((fn & 1n) === 1n || fn === sn) {
        fr = await H(concat([Uint8Array.of(1), c, fr]));
        sr = await H(concat([Uint8Array.of(1), c, sr]));
        if ((fn & 1n) === 0n) {
          while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
        }
      } else {
        sr = await H(concat([Uint8Array.of(1), sr, c]));
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    return sn === 0n && equal(fr, root1) && equal(sr, root2);
  }

  /// A C2SP checkpoint: origin, size, root, and its signature lines.
  function parseCheckpoint(note) {
    const [body, sigs = ""] = String(note).split("\n\n");
    const lines = body.split("\n");
    if (lines.length < 3 || !/^\d+$/.test(lines[1])) throw new Error("检查点格式不正确");
    return {
      origin: lines[0],
      size: BigInt(lines[1]),
      root: b64ToBytes(lines[2]),
      signatures: sigs.split("\n").filter((l) => l.startsWith("— ")).map((l) => l.slice(2).split(" ")[0]),
    };
  }

  /// Checks a receipt (`GET /api/v1/ledger/receipts/{n}`) against `anchor`, the checkpoint
  /// the page publishes (`{origin, note}`), fetching a consistency proof with `fetchProof`
  /// when the receipt's tree is older: each step with its outcome.
  async function verifyReceipt(receipt, anchor, fetchProof) {
    const steps = [];
    const step = (label, ok, detail) => { steps.push({ label, ok, detail }); return ok; };
    try {
      const H = hasher(receipt.alg);
      const leaf = new TextEncoder().encode(receipt.entry.leaf);
      const leafHash = await H(concat([Uint8Array.of(0), leaf]));
      const claimed = hexToBytes(receipt.entry.leaf_hash);
      step("记录内容的摘要（" + receipt.alg.toUpperCase() + "）与回执所载一致", equal(leafHash, claimed) && equal(leafHash, hexToBytes(receipt.proof.leaf_hash)), bytesToHex(leafHash));
      const computed = await rootFromInclusion(H, leafHash, receipt.proof.index, receipt.proof.size, receipt.proof.proof.map(hexToBytes));
      step("由包含证明推算的树根与回执所载树根一致", equal(computed, hexToBytes(receipt.proof.root)), bytesToHex(computed));
      const cp = parseCheckpoint(receipt.checkpoint);
      step("回执的检查点承诺同一棵树（第 " + cp.size + " 条记录时的树根）", cp.size === BigInt(receipt.proof.size) && equal(cp.root, computed), cp.origin);
      step("回执的检查点出自本日志（" + anchor.origin + "）", cp.origin === anchor.origin, cp.origin);
      const published = parseCheckpoint(anchor.note);
      let extends_ = false;
      if (published.origin !== anchor.origin) {
        extends_ = false;
      } else if (published.size === cp.size) {
        extends_ = equal(published.root, cp.root);
      } else if (published.size > cp.size) {
        const proof = await fetchProof(cp.size, published.size);
        extends_ = await verifyConsistency(H, cp.size, published.size, cp.root, published.root, proof.map(hexToBytes));
      }
      step("本页公布的检查点（" + published.size + " 条记录，见证方联署）包含这棵树", extends_, "一致性证明在浏览器中核对");
    } catch (e) {
      step("回执无法核验", false, e.message);
    }
    return { ok: steps.length > 0 && steps.every((s) => s.ok), steps };
  }

  const api = { verifyReceipt, verifyConsistency, rootFromInclusion, hasher, parseCheckpoint, b64ToBytes, bytesToHex };
  root.QuanzeVerify = api;
  if (typeof module === "object" && module.exports) module.exports = api;

  if (root.document) {
    root.document.addEventListener("submit", async (event) => {
      const form = event.target;
      if (!form || form.id !== "verify") return;
      event.preventDefault();
      const out = root.document.getElementById("verify-result");
      const text = form.querySelector("textarea").value;
      let receipt;
      try {
        receipt = JSON.parse(text);
      } catch (e) {
        out.replaceChildren(line("不是有效的回执（应为 JSON）：" + e.message, false));
        out.dataset.outcome = "bad";
        return;
      }
      const note = root.document.querySelector("pre.note");
      const anchor = { origin: form.dataset.origin, note: note ? note.textContent : "" };
      const fetchProof = async (first, second) => {
        const res = await root.fetch("/api/v1/ledger/proof/consistency?first=" + first + "&second=" + second);
        if (!res.ok) throw new Error("取不到一致性证明（" + res.status + "）");
        return (await res.json()).proof;
      };
      const result = await verifyReceipt(receipt, anchor, fetchProof);
      const items = result.steps.map((s) => line(s.label + (s.detail ? "：" + s.detail : ""), s.ok));
      const summary = root.document.createElement("p");
      summary.className = result.ok ? "ok" : "bad";
      summary.textContent = result.ok ? "核验通过：这条记录在公开台账中，未被改动。" : "核验失败：回执与台账不符，或已被改动。";
      out.replaceChildren(summary, ...items);
      out.dataset.outcome = result.ok ? "ok" : "bad";
    });
  }

  function line(text, ok) {
    const p = root.document.createElement("p");
    p.className = ok ? "ok" : "bad";
    p.textContent = (ok ? "✔ " : "✘ ") + text;
    return p;
  }
})(typeof self !== "undefined" ? self : globalThis);
