import { describe, expect, it } from "vitest";
import { pagingConfigSchema } from "../src/config.js";
import { normaliseEmail, ownValue, parseIncidentRefs } from "../src/names.js";
import { retryAfterMs, withQuery } from "../src/pagerduty/client.js";
import { signaturesOf, signBody, verifySignature } from "../src/pagerduty/signature.js";
import { parsePagerDuration } from "../src/time.js";

describe("names typed in chat", () => {
  it("finds only own keys, so prototype names are unknown", () => {
    const map = { ops: 1 } as Record<string, number>;
    expect(ownValue(map, "ops")).toBe(1);
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"])
      expect(ownValue(map, name)).toBeUndefined();
  });

  it("accepts incident numbers and ids, nothing that could reach a URL path or a query", () => {
    expect(parseIncidentRefs("#12, 13 PIJ90N7 12")).toEqual(["12", "13", "PIJ90N7"]);
    for (const bad of ["../users", "1;2", "P1?x=1", "%2e%2e", "a/b"])
      expect(() => parseIncidentRefs(bad)).toThrow(/not an incident id/);
  });

  it("reads Slack's mailto markup and refuses what is not an address", () => {
    expect(normaliseEmail("<mailto:Bob@Example.com|Bob@Example.com>")).toBe("bob@example.com");
    expect(normaliseEmail("mailto:bob@example.com")).toBe("bob@example.com");
    expect(normaliseEmail("bob")).toBeUndefined();
    expect(normaliseEmail("bob@example.com<script>")).toBeUndefined();
  });

  it("reads durations as hubot-pager-me did (bare minutes) and caps them", () => {
    expect(parsePagerDuration("90")).toBe(90 * 60_000);
    expect(parsePagerDuration("1h30m")).toBe(90 * 60_000);
    expect(() => parsePagerDuration("soon")).toThrow(/not a duration/);
    expect(() => parsePagerDuration("8d")).toThrow(/too long/);
  });
});

describe("configuration", () => {
  it("never takes __proto__ as a schedule (zod drops it, nothing is polluted); constructor is an ordinary name", () => {
    const parsed = pagingConfigSchema.parse(
      JSON.parse('{"local":{"schedules":{"__proto__":{"people":["a"],"start":"2026-01-01"}}}}'),
    );
    expect(Object.keys(parsed.local.schedules)).toEqual([]);
    expect(Object.getPrototypeOf(parsed.local.schedules)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).people).toBeUndefined();
    const ok = pagingConfigSchema.parse({
      local: { schedules: { constructor: { people: ["a"], start: "2026-01-01" } } },
    });
    expect(Object.hasOwn(ok.local.schedules, "constructor")).toBe(true);
  });

  it("names the key that is wrong", () => {
    const result = pagingConfigSchema.safeParse({
      provider: "pagerduty",
      people: { alice: { timeZone: "Mars/Olympus" } },
      local: { services: { web: { schedule: "nope" } } },
    });
    expect(result.success).toBe(false);
    const issues = result.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^people\.alice\.timeZone: not an IANA time zone/),
        expect.stringMatching(/^pagerduty: provider is pagerduty/),
        expect.stringMatching(/^local\.services\.web\.schedule: no schedule "nope"/),
      ]),
    );
  });

  it('reads environment-variable strings: dryRun "true", an empty routing key is no routing key', () => {
    const config = pagingConfigSchema.parse({
      provider: "pagerduty",
      dryRun: "true",
      pagerduty: { token: "t", services: { web: { id: "", routingKey: "" } } },
    });
    expect(config.dryRun).toBe(true);
    expect(config.pagerduty?.services.web?.id).toBeUndefined();
    expect(config.pagerduty?.services.web?.routingKey).toBeUndefined();
    expect(pagingConfigSchema.safeParse({ dryRun: "yes" }).success).toBe(false);
  });

  it("fills defaults: local rota, no dry run, PagerDuty's public URLs", () => {
    const config = pagingConfigSchema.parse({ provider: "pagerduty", pagerduty: { token: "t" } });
    expect(config).toMatchObject({ provider: "pagerduty", dryRun: false, timeZone: "UTC" });
    expect(config.pagerduty).toMatchObject({
      apiUrl: "https://api.pagerduty.com",
      eventsUrl: "https://events.pagerduty.com",
      timeout: 10_000,
      maxRetryWait: 30_000,
    });
    expect(pagingConfigSchema.parse({}).local).toMatchObject({ escalateAfter: 900_000, timeZone: "UTC" });
  });
});

describe("PagerDuty wire details", () => {
  it("sends array query values PagerDuty's way", () => {
    expect(withQuery("/incidents", { statuses: ["triggered", "acknowledged"], limit: 100, x: undefined })).toBe(
      "/incidents?statuses%5B%5D=triggered&statuses%5B%5D=acknowledged&limit=100",
    );
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(retryAfterMs("3")).toBe(3000);
    expect(retryAfterMs(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(10_000);
    expect(retryAfterMs("soon")).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });

  it("checks webhook signatures against every secret, ignoring other versions", () => {
    const body = Buffer.from('{"event":{}}');
    const header = `v0=abc,${signBody(body, "second-secret")}`;
    expect(signaturesOf(header)).toHaveLength(1);
    expect(verifySignature(body, header, ["first-secret", "second-secret"])).toBe(true);
    expect(verifySignature(body, header, ["first-secret"])).toBe(false);
    expect(verifySignature(Buffer.from('{"event":{} }'), header, ["second-secret"])).toBe(false);
  });
});
