/**
 * The pure parts: reading times from lines (both formats, zones, continuation lines are the reader's job), the
 * built-in redactions on the shapes secrets take in logs, and the configuration's refusals.
 */
import { describe, expect, it } from "vitest";
import { logsConfigSchema } from "../src/config.js";
import { DEFAULT_REDACTIONS, Redactor } from "../src/redact.js";
import { lineTime } from "../src/timestamps.js";

describe("lineTime", () => {
  it("reads ISO 8601 with and without zones, and the common log format", () => {
    expect(lineTime("2026-12-07T02:34:02Z GET /", "iso8601")).toBe(Date.UTC(2026, 11, 7, 2, 34, 2));
    expect(lineTime("2026-12-07 03:34:02,250 +01:00 x", "iso8601")).toBe(Date.UTC(2026, 11, 7, 2, 34, 2, 250));
    expect(lineTime("[2026-12-07T02:34:02.5+0000] x", "iso8601")).toBe(Date.UTC(2026, 11, 7, 2, 34, 2, 500));
    expect(lineTime('1.2.3.4 - - [07/Dec/2026:04:34:02 +0200] "GET /"', "clf")).toBe(Date.UTC(2026, 11, 7, 2, 34, 2));
    expect(lineTime("    at Object.<anonymous> (x.js:1:1)", "iso8601")).toBeUndefined();
    expect(lineTime("2026-12-07T02:34:02Z", "none")).toBeUndefined();
    expect(lineTime("[07/Foo/2026:04:34:02 +0200]", "clf")).toBeUndefined();
  });
});

describe("the built-in redactions", () => {
  const redact = (line: string) => new Redactor(DEFAULT_REDACTIONS).line(line);
  it.each([
    ["password=hunter2 user=bob", "password=[redacted] user=bob"],
    ['{"password":"hunter2","user":"bob"}', '{"password":"[redacted]","user":"bob"}'],
    ["GET /cb?code=1&access_token=abc123&x=1", "GET /cb?code=1&access_token=[redacted]&x=1"],
    ["Authorization: Bearer eyJhbGciOi.eyJzdWIi.c2lnbmF0", "Authorization: Bearer [redacted]"],
    ["postgres://app:pa55word@db:5432/app", "postgres://app:[redacted]@db:5432/app"],
    ["using xoxb-2048-1234567890-AbCdEfGh now", "using [redacted] now"],
    ["token ghp_abcdefghijklmnopqrstuvwxyz0123456789 ok", "token [redacted] ok"],
    ["key AKIAIOSFODNN7EXAMPLE ok", "key [redacted] ok"],
    ["nothing secret here: 200 OK", "nothing secret here: 200 OK"],
  ])("%s", (line, expected) => {
    expect(redact(line)).toBe(expected);
  });

  it("follows a private key block through lines that are not shown", () => {
    const r = new Redactor(DEFAULT_REDACTIONS);
    expect(r.inKeyBlock("-----BEGIN PRIVATE KEY-----")).toBe(true);
    expect(r.line("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC")).toBe("[redacted private key]");
    expect(r.inKeyBlock("-----END PRIVATE KEY-----")).toBe(true);
    expect(r.line("after password=x")).toBe("after password=[redacted]");
  });

  it("hides a private key block from BEGIN to END, and only that", () => {
    const r = new Redactor(DEFAULT_REDACTIONS);
    const lines = ["before", "-----BEGIN RSA PRIVATE KEY-----", "MIIEow", "-----END RSA PRIVATE KEY-----", "after"];
    expect(lines.map((l) => r.line(l))).toEqual([
      "before",
      "[redacted private key]",
      "[redacted private key]",
      "[redacted private key]",
      "after",
    ]);
  });
});

describe("the configuration", () => {
  const base = { services: { web: { sources: ["/var/log/web.log"] } } };
  it("accepts a minimal service and refuses paths and units that could escape", () => {
    expect(logsConfigSchema.safeParse(base).success).toBe(true);
    for (const path of ["var/log/x", "/var/log/../../etc/passwd", "/var/log/x y", "/var/log/$(id)", "/var/log/{user}"])
      expect(logsConfigSchema.safeParse({ services: { web: { sources: [path] } } }).success).toBe(false);
    expect(logsConfigSchema.safeParse({ services: { web: { sources: [{ unit: "-x" }] } } }).success).toBe(false);
    expect(logsConfigSchema.safeParse({ services: { web: { sources: [{ unit: "web;id" }] } } }).success).toBe(false);
    expect(
      logsConfigSchema.safeParse({ services: { web: { sources: [{ unit: "web", directory: "/var/../etc" }] } } })
        .success,
    ).toBe(false);
    expect(
      logsConfigSchema.safeParse({
        runner: { type: "ssh", identityFile: "/k", knownHostsFile: "/kh" },
        services: { web: { hosts: "all", sources: ["./relative.log"] } },
      }).success,
    ).toBe(false);
    expect(logsConfigSchema.safeParse({ services: { web: { sources: ["/srv/{host}/x.log"] } } }).success).toBe(false);
    expect(logsConfigSchema.safeParse({ ...base, redact: { patterns: [{ pattern: "(" }] } }).success).toBe(false);
    expect(logsConfigSchema.safeParse({ ...base, commandPrefix: ["sudo -n"] }).success).toBe(false);
  });
});
