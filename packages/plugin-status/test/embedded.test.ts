/**
 * The embedded provider: components and incidents kept in the store, driven from chat, posted into mapped rooms, and
 * shown by the page routes the plugin registers through core (the HTTP endpoint serves exactly these; the CLI test
 * in apps/bot fetches them over HTTP).
 */
import type { HttpRequest, HttpRoute } from "@switchboard/core";
import type { Harness } from "@switchboard/testing";
import { afterEach, describe, expect, it } from "vitest";
import type { Incident } from "../src/model.js";
import { statusHarness } from "./helpers.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const CONFIG = {
  components: { web: { name: "Website", rooms: ["test:#web"] }, api: { name: "Public API" } },
  rooms: ["test:#status"],
  page: { title: "Acme status" },
};

function route(path: string): HttpRoute {
  const found = h!.bot.routes.list().find((r) => r.method === "GET" && r.path === path);
  if (!found) throw new Error(`no route ${path}`);
  return found;
}
/** The page's JSON as the route answers it. */
interface PageJson {
  status: { indicator: string; openIncidents: number };
  components: Array<{ key: string; name: string; status: string }>;
  incidents: Incident[];
  resolved: Incident[];
}

const get = (path: string) =>
  route(path).handler({
    method: "GET",
    path,
    headers: {},
    query: {},
    rawBody: Buffer.alloc(0),
    ip: "127.0.0.1",
  } as HttpRequest);

describe("status from chat, on the bot's own page", () => {
  it("sets components, opens, updates and resolves an incident; each change is in the store and on the page", async () => {
    h = await statusHarness(CONFIG);
    const alice = h.as("alice");
    expect((await alice.say("!status")).text).toMatch(/web +operational[\s\S]*No open incidents/);
    expect((await alice.say("!status set api degraded")).text).toMatch(/api: degraded \(set by alice\)/);

    const opened = (await alice.say('!status incident "Checkout errors" --component web --impact major')).text;
    expect(opened).toMatch(/Opened #1 Checkout errors \[major\] — investigating \(web\)/);
    expect((await alice.say("!status")).text).toMatch(/web +partial[\s\S]*1 open incident\(s\):\n#1 Checkout errors/);
    expect((await alice.say("!status update 1 fe2 taken out --state identified")).text).toMatch(
      /Updated #1 Checkout errors \[major\] — identified \(web\): fe2 taken out/,
    );
    // Posted into the component's room, not the plugin's default room.
    expect(h.transcript("#web")).toMatch(/Opened #1[\s\S]*Updated #1/);
    expect(h.transcript("#status")).toBe("");

    const json = (await get("/status.json")).body as unknown as PageJson;
    expect(json.status).toEqual({ indicator: "partial", openIncidents: 1 });
    expect(json.incidents[0]).toMatchObject({ id: "1", title: "Checkout errors", status: "identified" });
    expect(json.incidents[0]!.updates.map((u) => u.text)).toEqual(["Checkout errors", "fe2 taken out"]);

    expect((await alice.say("!status resolve #1 rolled back")).text).toMatch(/Resolved #1 .* rolled back/);
    const after = (await get("/status.json")).body as unknown as PageJson;
    expect(after.components).toEqual([
      { key: "web", name: "Website", status: "operational" },
      { key: "api", name: "Public API", status: "degraded" },
    ]);
    expect(after.incidents).toEqual([]);
    expect(after.resolved[0]).toMatchObject({ id: "1", status: "resolved" });
    expect((await alice.say("!status update 1 again")).text).toMatch(/no open incident 1/);
  });

  it("an incident without components goes to the plugin's rooms", async () => {
    h = await statusHarness(CONFIG);
    await h.as("alice").say("!status incident Slow logins");
    expect(h.transcript("#status")).toMatch(/Opened #1 Slow logins \[minor\]/);
  });

  it("serves HTML with every chat field escaped, a strict CSP, nothing external, a phone viewport", async () => {
    h = await statusHarness(CONFIG);
    await h
      .as("alice")
      .say('!status incident "<script>alert(1)</script> & <img src=x onerror=alert(2)>" --component web');
    await h.as("alice").say('!status update 1 "<a href=javascript:alert(3)>click</a>"');
    const page = await get("/status");
    const html = String(page.body);
    expect(page.headers?.["content-type"]).toBe("text/html; charset=utf-8");
    expect(html).toContain("&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#60;img src=x onerror=alert(2)&#62;");
    expect(html).toContain("&#60;a href=javascript:alert(3)&#62;click&#60;/a&#62;");
    expect(html).not.toMatch(/<script|<img|<a /i);
    expect(html).not.toMatch(/\b(?:src|href)=["']?(?:https?:)?\/\//);
    expect(html).toContain('<meta name="viewport" content="width=device-width,initial-scale=1">');
    const csp = page.headers?.["content-security-policy"] ?? "";
    expect(csp).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$/,
    );
    expect(page.headers?.["x-content-type-options"]).toBe("nosniff");
    // The hash in the policy is the hash of the page's one style element.
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const { createHash } = await import("node:crypto");
    expect(csp).toContain(`'sha256-${createHash("sha256").update(style).digest("base64")}'`);
  });

  it("refuses unknown and prototype component names, bad incident ids and statuses, and guests", async () => {
    h = await statusHarness(CONFIG);
    const alice = h.as("alice");
    expect((await alice.say("!status set constructor major")).text).toMatch(/no component constructor/);
    expect((await alice.say("!status set __proto__ major")).text).toMatch(/not a component name/);
    expect((await alice.say("!status set web broken")).text).toMatch(/operational\|degraded\|partial\|major/);
    expect((await alice.say("!status incident x --component nope")).text).toMatch(/no component nope/);
    expect((await alice.say("!status update ../../etc text")).text).toMatch(/is not an incident id/);
    expect((await h.as("bob").say("!status set web major")).text).toMatch(/status:set/);
    expect((await h.as("mallory").say("!status")).text).toMatch(/status:read/);
    const json = (await get("/status.json")).body as unknown as PageJson;
    expect(json.components.map((c) => c.status)).toEqual(["operational", "operational"]);
  });

  it("incidents opened at the same moment get distinct numbers, and both are kept", async () => {
    h = await statusHarness(CONFIG);
    const opened = await Promise.all(
      ["one", "two", "three"].map((title) => h!.as("alice").say(`!status incident ${title} --component web`)),
    );
    const ids = opened.map((o) => /Opened #(\d+)/.exec(o.text)?.[1]);
    expect(new Set(ids).size).toBe(3);
    const json = (await get("/status.json")).body as unknown as PageJson;
    expect(json.incidents.map((i) => i.title).sort()).toEqual(["one", "three", "two"]);
  });

  it("records who changed what in the audit log", async () => {
    h = await statusHarness(CONFIG);
    await h.as("alice").say("!status set web major");
    const entry = (await h.audit()).findLast((e) => e.event === "admitted" && e.command === "status set");
    expect(entry).toMatchObject({ actor: "alice", args: { component: "web", status: "major" } });
  });
});
