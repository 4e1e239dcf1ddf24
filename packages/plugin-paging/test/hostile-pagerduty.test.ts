/**
 * A hostile (or broken) PagerDuty answer and an Alertmanager annotation cannot shape the room: incident titles are
 * flattened to one line, links are only PagerDuty's own https pages, and an incident whose id could go into a URL
 * path as `../x` is not offered. Against the fake PagerDuty's wire protocol.
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

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202A-\u202E]/;

describe("what PagerDuty answers is flattened and checked", () => {
  it("titles lose their line breaks and escapes, foreign links and path-like ids are dropped", async () => {
    fake.addIncident({
      title: "db slow\r\nPRIVMSG #ops :owned\u001b]0;x\u0007 \u202Egnp.exe",
      status: "triggered",
      service: "PWEB001",
      assignees: ["PALICE1"],
      html_url: "javascript:alert(1)",
    });
    const sneaky = fake.addIncident({
      title: "sneaky",
      status: "triggered",
      service: "PWEB001",
      assignees: ["PALICE1"],
    });
    sneaky.id = "../users/PALICE1";
    h = await createHarness({ policy: policy(PEOPLE, ["carol"]), plugins: [[paging, pagerDutyConfig(fake.url)]] });
    const text = (await h.as("alice").say("!pager incidents")).text;
    expect(text).toMatch(/^1 open:\n#1 Web: db slow PRIVMSG #ops :owned ]0;x <U\+202E>gnp\.exe — triggered/);
    expect(text.split("\n")).toHaveLength(2);
    expect(text).not.toMatch(CONTROLS);
    expect(text).not.toContain("javascript:");
    expect(text).not.toContain("sneaky");
    // acting on everything open never sends the path-like id
    await h.as("carol").say("!pager ack!");
    expect(fake.requests.some((r) => JSON.stringify(r).includes("../users"))).toBe(false);
  });
});
