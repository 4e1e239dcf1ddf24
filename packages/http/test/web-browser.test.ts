/**
 * The web view in a real browser: Debian's Chromium driven by playwright-core. A running job's lines arrive by
 * server-sent events; the audit log is filtered by person through the URL (the page's form); tampered and expired
 * links show 403; a revoked role shows nothing; axe-core finds no serious accessibility violations; a phone-sized
 * window needs no sideways scrolling.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { notProvisioned } from "@switchboard/test-servers";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { signLink } from "../src/web/link-token.js";
import { WEB_KEY, type WebBot, webBot } from "./web-setup.js";

const CHROMIUM = "/usr/bin/chromium";
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let browser: Browser;
let t: WebBot | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw notProvisioned(`${CHROMIUM} is not installed (Debian package chromium)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** A new page that records every console error (a CSP violation shows up there). */
async function openPage(options: { width?: number } = {}): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext(options.width ? { viewport: { width: options.width, height: 800 } } : {});
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return { page, errors };
}

/** Serious and critical axe-core violations on the page (axe evaluated in the page, not as an inline script). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(): Promise<{ passes: unknown[]; violations: Array<{ id: string; impact: string; help: string }> }> };
      }
    ).axe;
    const { violations, passes } = await axe.run();
    return { passed: passes.length, violations: violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help })) };
  });
  expect(result.passed, "axe-core ran its rules").toBeGreaterThan(10);
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help}`);
}

describe("web view in Chromium", () => {
  it("follows a running job: its lines arrive by server-sent events, then its outcome", async () => {
    t = await webBot();
    t.gate.close();
    const running = t.h.as("alice", { direct: true }).say("work alpha beta gamma");
    await t.h.waitFor(/starting: alpha beta gamma/);
    const [job] = t.h.bot.jobs.list();
    const link = await t.linkFrom("alice", `job ${job!.id} --link`);
    const { page, errors } = await openPage();
    await page.goto(t.local(link));
    await expect.poll(() => page.locator("#job-status").textContent()).toBe("running");
    expect(await page.locator("#transcript li").allTextContents()).toEqual(["starting: alpha beta gamma"]);
    t.gate.open();
    await page
      .locator("#transcript li")
      .filter({ hasText: /^gamma$/ })
      .waitFor();
    await expect.poll(() => page.locator("#job-status").textContent()).toBe("finished: succeeded");
    await running;
    expect(await page.locator("#transcript li").allTextContents()).toEqual([
      "starting: alpha beta gamma",
      "alpha",
      "beta",
      "gamma",
      "done",
    ]);
    expect(errors).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it("filters the audit log by person through the URL", async () => {
    t = await webBot();
    await t.h.as("alice", { direct: true }).say("work from-alice");
    await t.h.as("bob", { direct: true }).say("work from-bob");
    const link = await t.linkFrom("alice", "audit --link");
    const { page, errors } = await openPage();
    await page.goto(t.local(link));
    const table = page.locator("table");
    expect(await table.textContent()).toContain("from-alice");
    await page.getByLabel("Person (principal id)").fill("bob");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/person=bob/);
    const text = (await table.textContent()) ?? "";
    expect(text).toContain("from-bob");
    expect(text).not.toContain("from-alice");
    const people = await page.locator("tbody tr td:nth-child(5)").allTextContents();
    expect(new Set(people)).toEqual(new Set(["bob"]));
    expect(await page.getByRole("status").textContent()).toMatch(/Chain verified/);
    expect(errors).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it("shows 403 for a tampered and an expired link, and nothing once the role is revoked", async () => {
    t = await webBot();
    await t.h.as("alice", { direct: true }).say("work classified");
    await t.h.as("alice", { direct: true }).say("role grant bob auditor");
    const link = t.local(await t.linkFrom("bob", "audit --link"));
    const { page } = await openPage();
    expect((await page.goto(link))!.status()).toBe(200);
    expect(await page.textContent("body")).toContain("classified");
    const token = /t=([^&]+)/.exec(link)![1]!;
    const tampered = link.replace(token, `${token.slice(0, 5)}${token[5] === "x" ? "y" : "x"}${token.slice(6)}`);
    const expired = link.replace(token, signLink(WEB_KEY, { kind: "audit", filters: {} }, "bob", Date.now() - 1000));
    for (const bad of [tampered, expired]) {
      expect((await page.goto(bad))!.status()).toBe(403);
      expect(await page.textContent("h1")).toBe("Forbidden");
      expect(await page.textContent("body")).not.toContain("classified");
    }
    expect(await seriousViolations(page)).toEqual([]);
    await t.h.as("alice", { direct: true }).say("role revoke bob auditor");
    expect((await page.goto(link))!.status()).toBe(403);
    expect(await page.textContent("body")).not.toContain("classified");
  });

  it("fits a phone and passes axe on the job and approvals pages", async () => {
    t = await webBot();
    await t.h.as("alice", { direct: true }).say(`work ${"a-very-long-word-without-spaces".repeat(8)} short`);
    const [entry] = await t.h.bot.auditLog.query({ command: "work", event: "outcome" });
    const { page, errors } = await openPage({ width: 360 });
    await page.goto(t.local(await t.linkFrom("alice", `job ${entry!.jobId} --link`)));
    expect(await page.locator("#job-status").textContent()).toBe("succeeded");
    // Evaluated in the page (a string: this package's types have no DOM).
    const overflow = await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await seriousViolations(page)).toEqual([]);
    const approvals = signLink(WEB_KEY, { kind: "approvals" }, "alice", Date.now() + 60_000);
    expect((await page.goto(`${t.server.url}/web/approvals?t=${approvals}`))!.status()).toBe(200);
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
