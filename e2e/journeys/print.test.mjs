// A town's published list exported as xlsx prints legibly from a spreadsheet: LibreOffice
// (headless) turns it into a PDF on A4 landscape, over several pages rather than shrunk onto
// one, with the header row and page numbers on every page. The first page is kept as a
// picture with the screenshots.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, copyFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BASE } from "../lib.mjs";

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), "../screenshots");

test("a town's exported list prints on A4 landscape pages with its header and page numbers", async () => {
  // The first town's list in force, from the home page's printable links.
  const home = await (await fetch(`${BASE}/`)).text();
  const print = home.match(/\/lists\/([0-9a-f-]+)\/print\?town=([0-9a-f-]+)/);
  assert.ok(print, "a town's printable list");
  const page = await (await fetch(`${BASE}${print[0]}`)).text();
  const version = page.match(/\/api\/v1\/versions\/([0-9a-f-]+)\/export/)[1];
  const res = await fetch(`${BASE}/api/v1/versions/${version}/export?town=${print[2]}&format=xlsx`);
  assert.equal(res.status, 200);
  const dir = mkdtempSync(join(tmpdir(), "quanze-print-"));
  try {
    const xlsx = join(dir, "town.xlsx");
    writeFileSync(xlsx, Buffer.from(await res.arrayBuffer()));
    execFileSync("soffice", ["--headless", `-env:UserInstallation=file://${dir}/profile`, "--convert-to", "pdf", "--outdir", dir, xlsx], { stdio: "ignore", timeout: 180_000 });
    const pdf = join(dir, "town.pdf");
    const info = execFileSync("pdfinfo", [pdf]).toString();
    const pages = Number(info.match(/Pages:\s+(\d+)/)[1]);
    const [w, h] = info.match(/Page size:\s+([\d.]+) x ([\d.]+)/).slice(1).map(Number);
    assert.ok(w > h, `landscape (${w} x ${h} pt)`);
    assert.ok(Math.abs(w - 841.9) < 2 && Math.abs(h - 595.3) < 2, `A4 (${w} x ${h} pt)`);
    assert.ok(pages > 1, `${pages} pages: not shrunk onto one`);
    const second = execFileSync("pdftotext", ["-f", "2", "-l", "2", "-layout", pdf, "-"]).toString();
    assert.match(second, /事项名称/, "the header row repeated on page 2");
    assert.match(second, /第 2 页，共 \d+ 页/, "page numbers");
    assert.doesNotMatch(second, /实施编码|承办机构|配合部门/, "only the printed columns");
    execFileSync("pdftoppm", ["-png", "-r", "60", "-singlefile", "-f", "1", "-l", "1", pdf, join(dir, "page")]);
    copyFileSync(join(dir, "page.png"), join(SHOTS, "print-01-town-list-xlsx-page1.png"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
