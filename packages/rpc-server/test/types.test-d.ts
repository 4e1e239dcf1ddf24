import { describe, expectTypeOf, it } from "vitest";
import { defineMethod, type GroupNames } from "../src/index.js";

describe("method params are typed from the regex's named groups", () => {
  it("gives each group name, optional, and nothing else", () => {
    expectTypeOf<GroupNames<"restart (?<app>\\S+)(?: on (?<host>\\S+))?">>().toEqualTypeOf<"app" | "host">();
    expectTypeOf<GroupNames<"ping">>().toEqualTypeOf<never>();
    defineMethod({
      name: "restart",
      regex: "restart (?<app>[a-z]+)(?: on (?<host>\\S+))?",
      handler: ({ params }) => {
        expectTypeOf(params.app).toEqualTypeOf<string | undefined>();
        expectTypeOf(params.host).toEqualTypeOf<string | undefined>();
        // @ts-expect-error: not a group of the regex
        void params.other;
        return "ok";
      },
    });
  });
});
