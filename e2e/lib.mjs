// What every journey shares: Debian's chromium through playwright-core (headless, no sandbox,
// no background networking), the server's address, screenshots under e2e/screenshots/, and a
// watch on what the browser reports (a page that breaks its CSP or throws fails the journey).
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const BASE = process.env.QUANZE_URL ?? "http://127.0.0.1:8080";
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), "screenshots");
mkdirSync(SHOTS, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
}

/// A fresh context and page; `problems` collects console errors and page errors.
export async function open(browser, options = {}) {
  const context = await browser.newContext({ locale: "zh-CN", ...options });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(String(e)));
  return { context, page, problems };
}

export async function shot(page, name, fullPage = false) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

/// A page signed in as a demo account (password `Quanze#2026`), in a context of its own,
/// landed on `next`.
export async function signedIn(browser, username, next) {
  const session = await open(browser);
  const { page } = session;
  await page.goto(`${BASE}/staff/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码").fill("Quanze#2026");
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForURL(`${BASE}${next}`);
  return session;
}
