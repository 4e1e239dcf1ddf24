/**
 * The Statuspage provider against a local server speaking Statuspage's REST API v1: the same commands change
 * components and incidents there, authenticated with the page's API key, which never shows in chat.
 */
import { FakeStatuspage } from "@switchboard/test-servers";
import type { Harness } from "@switchboard/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { statusHarness } from "./helpers.js";

let sp: FakeStatuspage;
let h: Harness | undefined;
beforeEach(async () => {
  sp = await FakeStatuspage.start();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  await sp.stop();
});

const config = (token = sp.token) => ({
  provider: "statuspage",
  components: { web: { name: "Website" }, api: { statuspageId: sp.components[1]!.id } },
  statuspage: { apiUrl: sp.url, token, pageId: sp.pageId },
});

describe("the Statuspage provider", () => {
  it("sets components, opens, updates and resolves incidents on the page", async () => {
    const web = sp.addComponent("Website");
    const api = sp.addComponent("API (renamed on the page)");
    h = await statusHarness(config());
    const alice = h.as("alice");

    expect((await alice.say("!status set api partial")).text).toMatch(/api: partial/);
    expect(api.status).toBe("partial_outage");

    const opened = (await alice.say('!status incident "Checkout errors" --component web --impact critical')).text;
    const id = sp.incidents[0]!.id;
    expect(opened).toMatch(new RegExp(`Opened #${id} Checkout errors \\[critical\\] — investigating \\(web\\)`));
    expect(sp.incidents[0]).toMatchObject({ name: "Checkout errors", impact: "critical", status: "investigating" });
    expect(web.status).toBe("major_outage");
    expect((await alice.say("!status")).text).toMatch(
      new RegExp(`web +major[\\s\\S]*api +partial[\\s\\S]*#${id} Checkout errors`),
    );

    await alice.say(`!status update ${id} rolled back fe2 --state monitoring`);
    expect(sp.incidents[0]).toMatchObject({ status: "monitoring" });
    expect(sp.incidents[0]!.incident_updates[0]).toMatchObject({ body: "rolled back fe2", status: "monitoring" });

    expect((await alice.say(`!status resolve ${id}`)).text).toMatch(/Resolved/);
    expect(sp.incidents[0]).toMatchObject({ status: "resolved" });
    expect(web.status).toBe("operational");
    expect((await alice.say("!status")).text).toMatch(/No open incidents/);

    const calls = sp.requests.map((r) => `${r.method} ${r.path.replace(sp.pageId, "{page}")}`);
    expect(calls).toContain(`PATCH /v1/pages/{page}/components/${api.id}`);
    expect(calls).toContain("POST /v1/pages/{page}/incidents");
    expect(calls).toContain(`PATCH /v1/pages/{page}/incidents/${id}`);
    expect(new Set(sp.requests.map((r) => r.authorization))).toEqual(new Set([`OAuth ${sp.token}`]));
  });

  it("reports a refused key without showing it, and an unknown incident", async () => {
    sp.addComponent("Website");
    sp.addComponent("API");
    const wrong = "sp-not-the-right-key-0123456789";
    h = await statusHarness(config(wrong));
    const { text } = await h.as("alice").say("!status set web major");
    // A refused key is an internal failure: a reference in chat, Statuspage's answer in the log.
    expect(text).toMatch(/internal error \(reference E-[0-9a-f]+\)/);
    expect(text).not.toContain(wrong);
    await h.close();
    h = await statusHarness(config());
    expect((await h.as("alice").say("!status update abc123 hello")).text).toMatch(/no incident abc123 on Statuspage/);
  });
});
