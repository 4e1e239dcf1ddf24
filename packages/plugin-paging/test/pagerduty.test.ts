import { renderText } from "@switchboard/core";
import type { FakePagerDuty } from "@switchboard/test-servers";
import { createHarness, type Harness } from "@switchboard/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import paging from "../src/index.js";
import { clock, HOUR, PEOPLE, pagerDutyAccount, pagerDutyConfig, policy } from "./helpers.js";

let fake: FakePagerDuty;
let boundary: Date;
let h: Harness | undefined;

beforeEach(async () => {
  ({ fake, boundary } = await pagerDutyAccount());
});

afterEach(async () => {
  await h?.close();
  h = undefined;
  await fake.stop();
});

async function start(extra: Record<string, unknown> = {}, token?: string): Promise<Harness> {
  h = await createHarness({
    policy: policy(PEOPLE, ["carol"]),
    plugins: [[paging, pagerDutyConfig(fake.url, extra, token)]],
  });
  return h;
}

const jobIdIn = (text: string) => /job ([a-z0-9]{5})/.exec(text)?.[1] ?? "";
const writes = () => fake.requests.filter((r) => r.method !== "GET" && r.path !== "/v2/enqueue");

describe("oncall against PagerDuty", () => {
  it("names who holds the pager and who takes over at the layer boundary, in the asker's time zone", async () => {
    await start();
    const alice = (await h!.as("alice").say("!oncall")).text;
    expect(alice).toContain("ops: Alice Adams until");
    expect(alice).toContain(", then Bob Brown");
    expect(alice).toContain(clock(boundary, "America/New_York")); // alice's configured zone
    const bob = (await h!.as("bob").say("!who is on call for ops?")).text;
    expect(bob).toContain(clock(boundary, "Europe/Berlin")); // bob has none: the schedule's zone
    expect(bob).toMatch(/Alice Adams until .*, then Bob Brown/);
    const request = fake.requests.find((r) => r.path === "/oncalls")!;
    expect(request.headers.authorization).toBe("Token token=rw-token");
    expect(request.headers.accept).toBe("application/vnd.pagerduty+json;version=2");
    expect(request.query.getAll("schedule_ids[]")).toEqual(["PSCHED1"]);
  });

  it("answers am I on call for the linked user", async () => {
    await start();
    expect((await h!.as("alice").say("!am I on call")).text).toMatch(/^Yes, you are on call for ops, until /);
    expect((await h!.as("bob").say("!am i on call")).text).toBe("No, not for ops (Alice Adams is).");
  });

  it("is for staff, not guests", async () => {
    await start();
    const guest = await h!.as("alice", { verified: false }).say("!oncall");
    expect(guest.text).toMatch(/denied: .*paging:read/);
    expect(fake.requests).toHaveLength(0);
  });

  it("treats constructor and __proto__ as unknown schedules and services", async () => {
    await start();
    expect((await h!.as("alice").say("!oncall constructor")).text).toMatch(/no schedule "constructor".*one of: ops/s);
    expect((await h!.as("alice").say("!oncall __proto__")).text).toMatch(/not a schedule name/);
    expect((await h!.as("alice").say("!pager trigger constructor it broke")).text).toMatch(/no service "constructor"/);
    expect((await h!.as("alice").say("!pager maintenance toString 1h")).text).toMatch(/no service "tostring"/);
  });
});

describe("pager me", () => {
  it("creates an override for the asker's PagerDuty user, sent as them", async () => {
    await start();
    const answer = (await h!.as("bob").say("!pager me ops 1h")).text;
    expect(answer).toMatch(/Rejoice, Alice Adams! Bob Brown has the ops pager until .* \(override R/);
    const [override] = fake.schedules[0]!.overrides;
    expect(override?.user).toBe("PBOB001");
    expect(Date.parse(override!.end) - Date.parse(override!.start)).toBe(HOUR);
    const post = writes().find((r) => r.path === "/schedules/PSCHED1/overrides")!;
    expect(post.headers.from).toBe("bob@example.com");
    expect((await h!.as("carol").say("!oncall")).text).toContain("ops: Bob Brown until");
  });

  it("takes the schedule from the default and minutes as hubot-pager-me did", async () => {
    await start();
    await h!.as("bob").say("!pager me 90");
    const [override] = fake.schedules[0]!.overrides;
    expect(Date.parse(override!.end) - Date.parse(override!.start)).toBe(90 * 60_000);
    expect((await h!.as("bob").say("!pager me 9d")).text).toMatch(/9d is too long/);
  });
});

describe("acknowledge and resolve", () => {
  function incidents() {
    const web = "PWEB001";
    return {
      a1: fake.addIncident({ title: "disk full", status: "triggered", service: web, assignees: ["PALICE1"] }),
      a2: fake.addIncident({ title: "cpu hot", status: "triggered", service: web, assignees: ["PALICE1"] }),
      b1: fake.addIncident({ title: "db slow", status: "triggered", service: web, assignees: ["PBOB001"] }),
    };
  }

  it("acks named incidents by number or id as the asker", async () => {
    const { a1, a2, b1 } = incidents();
    await start();
    const answer = (await h!.as("alice").say(`!pager ack ${a1.incident_number} ${a2.id}`)).text;
    expect(answer).toMatch(/Acknowledged 2 incident\(s\) as Alice Adams/);
    expect(answer).toContain("#1 Web: disk full — acknowledged");
    expect(answer).toContain("#2 Web: cpu hot — acknowledged");
    expect(a1.status).toBe("acknowledged");
    expect(a2.log).toEqual([{ action: "acknowledged", by: "PALICE1" }]);
    expect(b1.status).toBe("triggered");
    const put = writes().find((r) => r.path === "/incidents")!;
    expect(put.method).toBe("PUT");
    expect(put.headers.from).toBe("alice@example.com");
  });

  it("without ids (or with all) touches only the asker's incidents and lists exactly those", async () => {
    const { a1, a2, b1 } = incidents();
    await start();
    const answer = (await h!.as("alice").say("!pager ack")).text;
    expect(answer).toMatch(/Acknowledged 2 incident\(s\)/);
    expect(answer).toContain("disk full");
    expect(answer).toContain("cpu hot");
    expect(answer).not.toContain("db slow");
    expect([a1.status, a2.status, b1.status]).toEqual(["acknowledged", "acknowledged", "triggered"]);
    // Nothing left of alice's: bob's incident stays bob's.
    expect((await h!.as("alice").say("!pager ack all")).text).toMatch(
      /Nothing assigned to you to acknowledge\. 1 other open incident\(s\) belong to others/,
    );
    expect(b1.status).toBe("triggered");
    const resolved = (await h!.as("alice").say("!pager resolve all")).text;
    expect(resolved).toMatch(/Resolved 2 incident\(s\)/);
    expect(resolved).not.toContain("db slow");
    expect(b1.status).toBe("triggered");
  });

  it("--everyone needs paging:everyone; with it, everyone's incidents change", async () => {
    const { b1 } = incidents();
    await start();
    const denied = (await h!.as("alice").say("!pager ack all --everyone")).text;
    expect(denied).toMatch(/denied: .*paging:everyone/);
    expect((await h!.as("alice").say("!pager ack!")).text).toMatch(/denied: .*paging:everyone/);
    expect(b1.status).toBe("triggered");
    const lead = (await h!.as("carol").say("!pager ack!")).text;
    expect(lead).toMatch(/Acknowledged 3 incident\(s\) as Carol Clark/);
    expect(b1.log).toEqual([{ action: "acknowledged", by: "PCAROL1" }]);
  });

  it("resolves by id and says which ids were not open", async () => {
    const { b1 } = incidents();
    await start();
    const answer = (await h!.as("bob").say(`!pager resolve #${b1.incident_number} 99`)).text;
    expect(answer).toMatch(/Resolved 1 incident\(s\) as Bob Brown/);
    expect(answer).toContain("not open: 99");
    expect(b1.status).toBe("resolved");
    expect(b1.log).toEqual([{ action: "resolved", by: "PBOB001" }]);
  });

  it("reads every page of open incidents", async () => {
    fake.maxLimit = 2;
    for (let i = 0; i < 5; i++)
      fake.addIncident({
        title: `problem ${i}`,
        status: "triggered",
        service: "PWEB001",
        assignees: ["PBOB001"],
        created_at: new Date(Date.now() - (5 - i) * 60_000).toISOString(),
      });
    await start();
    const answer = (await h!.as("bob").say("!pager incidents")).text;
    expect(answer).toMatch(/^5 open:/);
    expect(answer.indexOf("problem 4")).toBeLessThan(answer.indexOf("problem 0")); // newest first
    const offsets = fake.requests.filter((r) => r.path === "/incidents").map((r) => r.query.get("offset"));
    expect(offsets).toEqual(["0", "2", "4"]);
  });

  it("adds a note as the asker", async () => {
    const { b1 } = incidents();
    await start();
    expect((await h!.as("bob").say(`!pager note ${b1.incident_number} restarting the primary`)).text).toMatch(
      /Noted on #3 as Bob Brown/,
    );
    expect(b1.notes).toEqual([{ content: "restarting the primary", user: "PBOB001" }]);
  });
});

describe("trigger and maintenance", () => {
  it("triggers through the Events API v2 with the service's routing key", async () => {
    await start();
    const answer = (await h!.as("alice").say('!pager trigger web "site down"')).text;
    expect(answer).toMatch(/Triggered web: site down \(dedup key [0-9a-f]{32}\)/);
    const event = fake.requests.find((r) => r.path === "/v2/enqueue")!;
    expect(event.body).toMatchObject({
      routing_key: "R".repeat(32),
      event_action: "trigger",
      payload: { summary: "site down", source: "switchboard", severity: "critical" },
    });
    expect(event.headers.authorization).toBeUndefined(); // the routing key is the Events API's credential
    expect(fake.incidents.at(-1)).toMatchObject({ title: "site down", assignees: ["PALICE1"] });
  });

  it("opens a maintenance window on the service as the asker", async () => {
    await start();
    expect((await h!.as("bob").say("!pager maintenance web 30m")).text).toMatch(/web is in maintenance until/);
    expect(fake.maintenanceWindows).toMatchObject([{ services: ["PWEB001"], by: "PBOB001" }]);
  });
});

describe("linking chat people to PagerDuty users", () => {
  it("tells an unlinked person how to link, and pager me as links them to their own user once approved", async () => {
    const incident = fake.addIncident({ title: "x", status: "triggered", service: "PWEB001", assignees: ["PDAVE01"] });
    await start();
    const unlinked = (await h!.as("dave").say("!pager ack")).text;
    expect(unlinked).toMatch(/you are not linked to a PagerDuty user.*pager me as you@example.com/s);
    expect(writes()).toHaveLength(0);
    const asked = (await h!.as("dave").say("!pager me as <mailto:Dave@Example.com|Dave@Example.com>")).text;
    expect((await h!.as("carol").say(`!approve ${jobIdIn(asked)}`)).text).toMatch(/approved job/);
    expect(h!.adapter("test").sent.map((s) => renderText(s.message.blocks))).toContain(
      "Okay, you are Dave Dunn (dave@example.com) in PagerDuty from now on.",
    );
    expect((await h!.as("dave").say("!pager ack")).text).toMatch(/Acknowledged 1 incident\(s\) as Dave Dunn/);
    expect(incident.log).toEqual([{ action: "acknowledged", by: "PDAVE01" }]);
    expect((await h!.as("dave").say("!pager forget me")).text).toMatch(/forgot that you are dave@example.com/);
    expect((await h!.as("dave").say("!pager ack")).text).toMatch(/not linked/);
  });

  it("refuses an e-mail that belongs to someone else, or that matches no user exactly", async () => {
    await start();
    await h!.as("carol").say(`!approve ${jobIdIn((await h!.as("dave").say("!pager me as dave@example.com")).text)}`);
    expect((await h!.as("eve").say("!pager me as alice@example.com")).text).toMatch(/belongs to someone else here/);
    expect((await h!.as("eve").say("!pager me as dave@example.com")).text).toMatch(/belongs to someone else here/);
    // PagerDuty's user query is fuzzy: "alice@example.co" finds alice, but is not her e-mail.
    expect((await h!.as("eve").say("!pager me as alice@example.co")).text).toMatch(
      /no PagerDuty user has the login e-mail alice@example.co/,
    );
    expect((await h!.as("eve").say("!pager me as alice")).text).toMatch(/"alice" is not an e-mail address/);
    expect((await h!.as("eve").say("!pager ack")).text).toMatch(/not linked/);
    expect((await h!.as("alice").say("!pager me as carol@example.com")).text).toMatch(/set in the configuration/);
  });

  it("links only known principals", async () => {
    await start();
    expect((await h!.as("zed").say("!pager me as dave@example.com")).text).toMatch(/denied/);
  });
});

describe("PagerDuty's refusals and limits", () => {
  it("a read-only token answers oncall but says why it cannot act", async () => {
    const incident = fake.addIncident({ title: "x", status: "triggered", service: "PWEB001", assignees: ["PALICE1"] });
    await start({}, "ro-token");
    expect((await h!.as("alice").say("!oncall")).text).toContain("Alice Adams");
    const answer = (await h!.as("alice").say("!pager ack")).text;
    expect(answer).toMatch(
      /PagerDuty refused PUT \/incidents \(Access Denied: The access level of this token is read-only\)/,
    );
    expect(answer).toMatch(/read-only token/);
    expect(incident.status).toBe("triggered");
  });

  it("a bad token is named as the problem", async () => {
    await start({}, "wrong");
    expect((await h!.as("alice").say("!oncall")).text).toMatch(/PagerDuty refused the API token.*PAGERDUTY_TOKEN/s);
  });

  it("an unreachable PagerDuty is named with its address and the setting that holds it", async () => {
    await start();
    const url = new URL(fake.url).origin;
    await fake.stop(); // PagerDuty is offline: nothing listens at apiUrl any more
    const answer = (await h!.as("alice").say("!oncall")).text;
    expect(answer).toContain(
      `PagerDuty could not be reached at ${url} (plugins.paging.pagerduty.apiUrl): ECONNREFUSED`,
    );
    expect(answer).not.toContain("fetch failed");
  });

  it("waits as Retry-After says on 429, and reports a wait longer than maxRetryWait", async () => {
    await start();
    fake.rateLimit = { count: 1, retryAfter: "1" };
    expect((await h!.as("alice").say("!oncall")).text).toContain("Alice Adams");
    const statuses = fake.requests.map((r) => r.path);
    expect(statuses.slice(0, 2)).toEqual([statuses[0], statuses[0]]); // the refused request was sent again
    fake.rateLimit = { count: 1, retryAfter: "120" };
    expect((await h!.as("alice").say("!pager incidents")).text).toMatch(
      /rate-limiting this bot \(429\).*try again in 2m/s,
    );
  });
});

describe("dry run", () => {
  it("answers as if it acted, says it did not, and sends no write", async () => {
    const incident = fake.addIncident({ title: "x", status: "triggered", service: "PWEB001", assignees: ["PALICE1"] });
    await start({ dryRun: true });
    const ack = (await h!.as("alice").say("!pager ack")).text;
    expect(ack).toMatch(/Would acknowledge 1 incident\(s\) as Alice Adams/);
    expect(ack).toMatch(/dry run: nothing was changed/);
    expect((await h!.as("alice").say("!pager me 1h")).text).toMatch(/Would give Alice Adams the ops pager.*dry run/s);
    expect((await h!.as("alice").say("!pager trigger web down")).text).toMatch(/Would page web: down.*dry run/s);
    expect(incident.status).toBe("triggered");
    expect(writes()).toHaveLength(0);
    expect(fake.requests.some((r) => r.path === "/v2/enqueue")).toBe(false);
  });
});
