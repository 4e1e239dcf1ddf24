/** Core's shared rules: git refs typed in chat, branch → Puppet environment, and durations shown to people. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { puppetEnvironmentFor, refProblem } from "../src/commands/refs.js";
import { formatDuration } from "../src/util/duration.js";

describe("refProblem", () => {
  it.each(["main", "gh13", "feature/login-form", "release-2025.01", "v1.2.3", "user/bob/fix_1", "deps+update"])(
    "accepts the ref %s",
    (ref) => expect(refProblem(ref)).toBeUndefined(),
  );

  it.each([
    ["--upload-pack=touch /tmp/x", /starts with "-"; a ref may not look like an option/],
    ["$(reboot)", /may contain only/],
    ["a\nb", /"a\\x0ab" may contain only/],
    ["a..b", /contains "\.\."/],
    ["a/.hidden", /component starting with "\."/],
    ["a.lock", /ending with "\.lock"/],
    ["a//b", /empty path component/],
    ["a.", /ends with "\."/],
    ["", /1 to 200 characters/],
  ])("refuses the ref %j", (ref, problem) => expect(refProblem(ref)).toMatch(problem));
});

describe("puppetEnvironmentFor", () => {
  it("names the production branch production and any other branch in [a-z0-9_]", () => {
    expect(puppetEnvironmentFor("main", "main")).toBe("production");
    expect(puppetEnvironmentFor("master", "master")).toBe("production");
    expect(puppetEnvironmentFor("feature/Fix-1", "main")).toBe("feature_fix_1");
    expect(puppetEnvironmentFor("production", "main")).toBe("production");
  });

  it("every accepted ref names a Puppet environment [a-z0-9_]", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._/+-]{0,40}$/), (ref) => {
        fc.pre(refProblem(ref) === undefined);
        expect(puppetEnvironmentFor(ref, "main")).toMatch(/^[a-z0-9_]{1,200}$/);
      }),
    );
  });
});

describe("formatDuration", () => {
  it("shows whole durations compactly and fractions of a millisecond with three digits", () => {
    expect(formatDuration(450)).toBe("450ms");
    expect(formatDuration(12_000)).toBe("12s");
    expect(formatDuration(5_400_000)).toBe("1h30m");
    expect(formatDuration(1.25)).toBe("1.25ms");
    expect(formatDuration(0.25)).toBe("250µs");
    expect(formatDuration(0)).toBe("0ms");
    expect(formatDuration(-90_000)).toBe("-1m30s");
  });
});
