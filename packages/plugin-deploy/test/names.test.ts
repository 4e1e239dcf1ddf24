import { refProblem } from "@switchboard/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hostsProblem, nameProblem } from "../src/names.js";

describe("input validation", () => {
  it.each(["main", "gh13", "feature/login-form", "release-2025.01", "v1.2.3", "user/bob/fix_1", "deps+update"])(
    "accepts the ref %s",
    (ref) => expect(refProblem(ref)).toBeUndefined(),
  );

  it.each([
    ["-x", /starts with "-"/],
    ["--upload-pack=touch /tmp/x", /starts with "-"/],
    ["a;b", /may contain only/],
    ["$(reboot)", /may contain only/],
    ["`id`", /may contain only/],
    ["a\nb", /"a\\x0ab" may contain only/],
    ["a b", /may contain only/],
    ["a..b", /contains "\.\."/],
    ["a/.hidden", /component starting with "\."/],
    ["a.lock", /ending with "\.lock"/],
    ["a/", /empty path component/],
    ["a//b", /empty path component/],
    ["a.", /ends with "\."/],
    ["HEAD@{1}", /may contain only/],
    ["", /1 to 200 characters/],
  ])("refuses the ref %j", (ref, problem) => expect(refProblem(ref)).toMatch(problem));

  it("refuses every ref with a character outside letters, digits and . _ / + -", () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1, maxLength: 1 }), fc.string(), (a, bad, b) => {
        fc.pre(!/^[A-Za-z0-9._/+-]$/.test(bad));
        expect(refProblem(`x${a}${bad}${b}`)).toBeDefined();
      }),
    );
  });

  it("accepts host lists and refuses anything else", () => {
    expect(hostsProblem("fe1")).toBeUndefined();
    expect(hostsProblem("fe1,fe2.example.org")).toBeUndefined();
    for (const bad of ["fe1;reboot", "$(x)", "-fe1", "fe1,,fe2", "fe1 fe2", "a\nb", "fe_1", ""])
      expect(hostsProblem(bad)).toBeDefined();
  });

  it("names are lower-case letters, digits, - and _", () => {
    expect(nameProblem("puppetmaster")).toBeUndefined();
    expect(nameProblem("web-2_eu")).toBeUndefined();
    for (const bad of ["Prod", "-x", "a;b", "a/b", "", "a".repeat(64)]) expect(nameProblem(bad)).toBeDefined();
  });
});
