/**
 * Free text is bounded where it enters core: a 60 KB `pager note` (one Matrix or Slack message can carry that) froze
 * IRC output for seconds and went into the incident as is. It is refused with the limit named, and nothing is noted.
 */
import { MAX_TEXT_CHARS } from "@switchboard/core";
import { createHarness } from "@switchboard/testing";
import { describe, expect, it } from "vitest";
import paging from "../src/index.js";
import { DAY, policy } from "./helpers.js";

describe("pager note with a huge text", () => {
  it("is refused naming the limit; a note within it is added", async () => {
    const start = new Date(Math.floor((Date.now() - DAY) / 60_000) * 60_000).toISOString().slice(0, 16);
    const h = await createHarness({
      networks: ["matrix"],
      policy: policy({ alice: { matrix: "@alice:hs" }, bob: { matrix: "@bob:hs" } }),
      plugins: [
        [
          paging,
          {
            rooms: ["matrix:!ops:hs"],
            local: {
              schedules: { ops: { rotation: "daily", people: ["alice", "bob"], start } },
              services: { web: { schedule: "ops", escalateAfter: "1h" } },
            },
          },
        ],
      ],
    });
    const alice = h.as("alice", { network: "matrix", id: "@alice:hs" });
    await alice.say("!pager trigger web site down");
    const huge = (await alice.say(`!pager note 1 ${"spam ".repeat(12_000)}`)).text;
    expect(huge).toMatch(new RegExp(`text is 59999 characters long; at most ${MAX_TEXT_CHARS} are accepted`));
    expect(huge.length).toBeLessThan(500);
    expect((await alice.say("!pager note 1 restarting the web tier")).text).toMatch(/^✔ Noted on #1/);
    await h.close();
  });
});
