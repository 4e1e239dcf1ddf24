/**
 * Acting as someone else in PagerDuty: claiming another person's PagerDuty user with `pager me as`, and acking or
 * resolving incidents assigned to others by naming them. Against the fake PagerDuty (its wire protocol), through
 * the real plugin and core.
 */

import type { FakePagerDuty } from "@switchboard/test-servers";
import { createHarness, type Harness } from "@switchboard/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import paging from "../src/index.js";
import { PEOPLE, pagerDutyAccount, pagerDutyConfig, policy } from "./helpers.js";

let fake: FakePagerDuty;
let h: Harness | undefined;

beforeEach(async () => {
  ({ fake } = await pagerDutyAccount());
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  await fake.stop();
});

async function start(pagerduty: Record<string, unknown> = {}): Promise<Harness> {
  const config = pagerDutyConfig(fake.url);
  Object.assign(config.pagerduty, pagerduty);
  h = await createHarness({ policy: policy(PEOPLE, ["carol"]), plugins: [[paging, config]] });
  return h;
}
const jobIdIn = (text: string) => /job ([a-z0-9]{5})/.exec(text)?.[1] ?? "";

describe("pager me as: a PagerDuty user is linked only with proof", () => {
  it("eve cannot claim dave's unlinked PagerDuty user by typing his e-mail: it waits for a paging:admin", async () => {
    const incident = fake.addIncident({ title: "db", status: "triggered", service: "PWEB001", assignees: ["PDAVE01"] });
    await start();
    const asked = (await h!.as("eve").say("!pager me as dave@example.com")).text;
    expect(asked).toMatch(/needs 1 approval from someone with paging:admin/);
    expect(asked).toContain("dave@example.com"); // the approver sees which user is being linked
    // not linked yet: eve cannot act as dave
    expect((await h!.as("eve").say("!pager ack")).text).toMatch(/not linked/);
    expect(incident.status).toBe("triggered");
    // eve cannot approve her own request, nor can staff
    const id = jobIdIn(asked);
    expect((await h!.as("eve").say(`!approve ${id}`)).text).toMatch(/someone else has to approve/);
    expect((await h!.as("bob").say(`!approve ${id}`)).text).toMatch(/needs permission paging:admin/);
    expect(fake.requests.filter((r) => r.method !== "GET")).toHaveLength(0);
  });

  it("a paging:admin's approval links the asker (the admin vouches for who they are)", async () => {
    const incident = fake.addIncident({ title: "db", status: "triggered", service: "PWEB001", assignees: ["PDAVE01"] });
    await start();
    const asked = (await h!.as("dave").say("!pager me as dave@example.com")).text;
    expect((await h!.as("carol").say(`!approve ${jobIdIn(asked)}`)).text).toMatch(/approved job/);
    expect((await h!.as("dave").say("!pager ack")).text).toMatch(/Acknowledged 1 incident\(s\) as Dave Dunn/);
    expect(incident.log).toEqual([{ action: "acknowledged", by: "PDAVE01" }]);
  });

  it("linking: config turns chat linking off", async () => {
    await start({ linking: "config" });
    expect((await h!.as("dave").say("!pager me as dave@example.com")).text).toMatch(
      /links to PagerDuty users come only from the configuration/,
    );
  });
});

describe("pager ack|resolve <ids>: other people's incidents need paging:everyone", () => {
  it("bob cannot ack or resolve alice's incident by naming it; carol (paging:everyone) can", async () => {
    const incident = fake.addIncident({
      title: "api",
      status: "triggered",
      service: "PWEB001",
      assignees: ["PALICE1"],
    });
    const mine = fake.addIncident({ title: "web", status: "triggered", service: "PWEB001", assignees: ["PBOB001"] });
    await start();
    for (const verb of ["ack", "resolve"]) {
      const answer = (await h!.as("bob").say(`!pager ${verb} ${incident.incident_number}`)).text;
      expect(answer).toMatch(/not assigned to you.*paging:everyone/s);
    }
    expect((await h!.as("bob").say(`!pager ack ${incident.incident_number} --everyone`)).text).toMatch(
      /denied.*paging:everyone/s,
    );
    expect(incident.status).toBe("triggered");
    expect(incident.log).toEqual([]);
    // naming both: nothing changes (no half-done batch)
    expect((await h!.as("bob").say(`!pager ack ${incident.incident_number} ${mine.incident_number}`)).text).toMatch(
      /not assigned to you/,
    );
    expect(mine.status).toBe("triggered");
    expect((await h!.as("bob").say(`!pager ack ${mine.incident_number}`)).text).toMatch(/Acknowledged 1 incident/);
    expect((await h!.as("carol").say(`!pager ack ${incident.incident_number} --everyone`)).text).toMatch(
      /Acknowledged 1 incident\(s\) as Carol Clark/,
    );
    expect(incident.log).toEqual([{ action: "acknowledged", by: "PCAROL1" }]);
  });
});
