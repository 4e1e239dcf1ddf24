import { describe, expect, it } from "vitest";
import { nextDelay } from "../src/endpoint.js";
import { type ListingError, readListing } from "../src/listing.js";
import { splitExtraParams } from "../src/params.js";
import { compileMethodPattern, leadingWord } from "../src/regex.js";
import { buttonCommand, clean, colorLevel } from "../src/render.js";

describe("polling back-off", () => {
  it("waits the interval, ×1.5 per failure in a row, at most the maximum", () => {
    expect([0, 1, 2, 3].map((f) => nextDelay(10_000, f, 3_600_000))).toEqual([10_000, 15_000, 22_500, 33_750]);
    expect(nextDelay(10_000, 40, 3_600_000)).toBe(3_600_000);
  });
});

describe("listings", () => {
  const method = (regex: string, extra: Record<string, unknown> = {}) => ({ regex, params: [], ...extra });

  it("accepts version 3 as a number, a string, or missing", () => {
    for (const version of [3, "3", undefined])
      expect(readListing({ version, methods: { ping: method("ping") } }).methods).toHaveLength(1);
  });

  it("refuses other versions, methods without regex, and bad names, naming each", () => {
    try {
      readListing({ version: 4, methods: { "a b": method("x"), noregex: { params: [] }, ok: method("ok") } });
      expect.unreachable();
    } catch (error) {
      expect((error as ListingError).problems).toEqual([
        "version 4 is not supported (only 3)",
        'method "a b": the name is not a slug (letters, digits, - and _)',
        'method "noregex": no regex',
      ]);
    }
  });

  it("refuses two methods whose names differ only in case", () => {
    expect(() => readListing({ methods: { Ping: method("ping"), ping: method("ping") } })).toThrow(/same name/);
  });

  it("refuses a parameter name that is not a plain name", () => {
    expect(() => readListing({ methods: { x: method("(?<_proto>a)") } })).toThrow(/parameter "_proto"/);
  });
});

describe("patterns", () => {
  it("are anchored and case-insensitive, with named groups, empty groups left out", () => {
    const p = compileMethodPattern("restart (?<app>\\S+)(?: on (?<host>\\S+))?");
    expect(p.match("Restart web")).toEqual({ app: "web" });
    expect(p.match("please restart web")).toBeUndefined();
    expect(p.match("restart web now")).toBeUndefined();
  });

  it("refuse backreferences and lookarounds", () => {
    expect(() => compileMethodPattern("(a)\\1")).toThrow(/RE2/);
    expect(() => compileMethodPattern("(?=a)a")).toThrow(/RE2/);
  });

  it("give their literal first word only when it is a whole word", () => {
    expect(leadingWord("options(?: (?<app>\\S+))?")).toBe("options");
    expect(leadingWord("where can i deploy")).toBe("where");
    expect(leadingWord("option(s)?")).toBeUndefined();
    expect(leadingWord("options?")).toBeUndefined();
    expect(leadingWord("(?<app>\\S+) status")).toBeUndefined();
  });
});

describe("extra params", () => {
  it("split trailing --key value, --key=value and --flag", () => {
    expect(splitExtraParams(["web", "--reason", "stuck", "--env=prod", "--force"])).toEqual({
      words: ["web"],
      extra: [
        ["reason", "stuck"],
        ["env", "prod"],
        ["force", "true"],
      ],
    });
  });

  it("refuse repeated keys and words after the options", () => {
    expect(() => splitExtraParams(["--a", "1", "--a", "2"])).toThrow(/twice/);
    expect(() => splitExtraParams(["--a", "1", "2"])).toThrow(/comes after/);
  });
});

describe("rendering server text", () => {
  it("removes control and bidi-override characters and caps length", () => {
    expect(clean("ok\u0007\u202e done\nnext", 100)).toBe("ok done\nnext");
    expect(clean("x".repeat(20), 5)).toBe("xxxxx… (cut at 5 characters)");
  });

  it("maps colours to status levels", () => {
    expect([colorLevel("ff0000"), colorLevel("#2eb886"), colorLevel("ddaa00"), colorLevel("888888")]).toEqual([
      "fail",
      "ok",
      "warn",
      undefined,
    ]);
  });

  it("keeps buttons inside the endpoint's prefix", () => {
    expect(buttonCommand("ops", ".ops restart web")).toBe("ops restart web");
    expect(buttonCommand("ops", "deploy site to production")).toBe("ops deploy site to production");
  });
});
