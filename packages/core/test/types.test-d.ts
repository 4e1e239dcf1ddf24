import { describe, expectTypeOf, it } from "vitest";
import { arg, defineCommand } from "../src/index.js";

describe("handler argument types are inferred from the schema", () => {
  it("required, defaulted, optional, enums, flags and durations", () => {
    defineCommand({
      name: "deploy",
      summary: "deploy",
      args: {
        app: arg.string({ required: true }),
        ref: arg.string({ default: "main" }),
        hosts: arg.string(),
        env: arg.enum(["staging", "production"], { required: true }),
        count: arg.number(),
        force: arg.flag(),
        lockFor: arg.duration({ default: 60_000 }),
      },
      handler: ({ args }) => {
        expectTypeOf(args.app).toEqualTypeOf<string>();
        expectTypeOf(args.ref).toEqualTypeOf<string>();
        expectTypeOf(args.hosts).toEqualTypeOf<string | undefined>();
        expectTypeOf(args.env).toEqualTypeOf<"staging" | "production">();
        expectTypeOf(args.count).toEqualTypeOf<number | undefined>();
        expectTypeOf(args.force).toEqualTypeOf<boolean>();
        expectTypeOf(args.lockFor).toEqualTypeOf<number>();
        // @ts-expect-error not in the schema
        void args.nope;
        return undefined;
      },
    });
  });

  it("a command without args gets an empty object", () => {
    defineCommand({
      name: "ping",
      summary: "ping",
      handler: ({ args }) => {
        expectTypeOf(args).toEqualTypeOf<Record<never, never>>();
        return "pong";
      },
    });
  });
});
