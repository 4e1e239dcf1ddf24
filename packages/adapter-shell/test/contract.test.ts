import { PassThrough } from "node:stream";
import { type ContractDriver, runAdapterContract } from "@switchboard/testing";
import { ShellAdapter } from "../src/index.js";

/**
 * The shell has one conversation (the direct room "terminal") and every speaker is verified, so the driver speaks
 * with `/as USER` before each line and reads the one output stream.
 */
runAdapterContract(
  "shell",
  async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let seen = "";
    output.on("data", (chunk: Buffer) => {
      seen += chunk.toString("utf8");
    });
    const adapter = new ShellAdapter({ input, output, user: "tester", historyFile: false, color: false });
    const offsets = new Map<string, number>();
    const driver: ContractDriver = {
      async say(user, text) {
        input.write(`/as ${user}\n${text}\n`);
      },
      waitFor(user, match, room, timeoutMs = 10_000) {
        const key = `${user}\u0000${room ?? ""}`;
        const from = offsets.get(key) ?? 0;
        const started = Date.now();
        return new Promise((resolve, reject) => {
          const poll = () => {
            const fresh = seen.slice(from);
            if (match.test(fresh)) {
              offsets.set(key, seen.length);
              resolve(fresh);
            } else if (Date.now() - started > timeoutMs)
              reject(new Error(`timed out waiting for ${match}; saw:\n${fresh}`));
            else setTimeout(poll, 5);
          };
          poll();
        });
      },
      async close() {
        input.end();
        await adapter.ended;
      },
    };
    return { adapter, driver, room: "terminal", verifiedUser: { name: "tester", id: "tester" } };
  },
  { unverifiedUsers: false },
);
