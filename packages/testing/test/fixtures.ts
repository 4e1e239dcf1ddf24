import { type AnyCommand, arg, defineCommand, out } from "@switchboard/core";

/** A policy with an owner, a deployer, an approver on two networks, and guests. */
export const policy = {
  roles: {
    owner: { permissions: ["*"] },
    deployer: { permissions: ["deploy:run", "deploy:approve"] },
    approver: { permissions: ["deploy:approve", "audit:read"] },
    guest: { permissions: [] },
  },
  principals: {
    alice: { roles: ["owner"], identities: { test: "alice" } },
    bob: { roles: ["deployer"], identities: { test: "bob" } },
    carol: { roles: ["approver"], identities: { test: "carol", matrix: "@carol:example.org" } },
    dave: { roles: ["deployer"], identities: { test: "dave" } },
  },
  rules: [
    {
      name: "production-needs-approval",
      command: "deploy",
      when: { args: { env: "production" } },
      approval: { permission: "deploy:approve", count: 1 },
    },
    { name: "no-deploys-in-random", command: "deploy", when: { room: "#random" }, deny: true },
  ],
};

/** A deploy-like command that streams progress and can be slow. */
export const deploy: AnyCommand = defineCommand({
  name: "deploy",
  summary: "Deploy an app",
  pattern: "{app}[/{ref}] [to {env}]",
  permission: "deploy:run",
  sideEffect: true,
  args: {
    app: arg.string({ required: true, match: /^[a-z][a-z0-9-]*$/ }),
    ref: arg.string({ default: "main" }),
    env: arg.enum(["staging", "production"], { default: "staging" }),
    delay: arg.duration({ default: 0 }),
    token: arg.string({ secret: true }),
  },
  handler: async ({ args, progress, signal, actor, approvers }) => {
    progress(`deploying ${args.app}/${args.ref} to ${args.env}`);
    if (args.delay) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, args.delay);
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      });
    }
    return out.status(
      "ok",
      `deployed ${args.app}/${args.ref} to ${args.env} for ${actor.id}${approvers.length ? ` approved by ${approvers.join(",")}` : ""}`,
    );
  },
});

/** A command that ignores its abort signal entirely and never finishes on its own. */
export const hang: AnyCommand = defineCommand({
  name: "hang",
  summary: "Never returns",
  guests: true,
  timeoutMs: 100,
  handler: () => new Promise<undefined>(() => {}),
});

/** A command with a bug. */
export const broken: AnyCommand = defineCommand({
  name: "broken",
  summary: "Throws an internal error",
  guests: true,
  handler: () => {
    throw new TypeError("cannot read properties of undefined (reading 'password=hunter2')");
  },
});
