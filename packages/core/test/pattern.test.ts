import { describe, expect, it } from "vitest";
import { compilePattern, matchPattern } from "../src/pattern.js";

describe("word patterns", () => {
  const deploy = compilePattern("{app}[/{ref}] [to {env}[/{hosts}]]");

  it.each([
    ["api", { app: "api" }],
    ["api/feature/x", { app: "api", ref: "feature/x" }],
    ["api to staging", { app: "api", env: "staging" }],
    ["api/main to production/fe1,fe2", { app: "api", ref: "main", env: "production", hosts: "fe1,fe2" }],
    ["puppet/gh13 TO puppetmaster", { app: "puppet", ref: "gh13", env: "puppetmaster" }],
  ])("matches %s", (text, expected) => {
    expect(matchPattern(deploy, text)).toEqual(expected);
  });

  it.each(["", "api to", "api/ref to staging extra", "to staging"])("does not match %j", (text) => {
    expect(matchPattern(deploy, text)).toBeUndefined();
  });

  it("takes the rest of the words with {name...}", () => {
    const lock = compilePattern("{app} {env} [for {duration}] {reason...}");
    expect(matchPattern(lock, "api prod for 2h db migration running")).toEqual({
      app: "api",
      env: "prod",
      duration: "2h",
      reason: "db migration running",
    });
  });

  it("rejects malformed patterns with a message naming the problem", () => {
    expect(() => compilePattern("{app")).toThrow(/unclosed "\{"/);
    expect(() => compilePattern("{app} [to {env}")).toThrow(/unclosed "\["/);
    expect(() => compilePattern("{app} {app}")).toThrow(/appears twice/);
    expect(() => compilePattern("{a b}")).toThrow(/bad placeholder/);
  });
});
