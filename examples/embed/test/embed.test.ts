import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, it } from "vitest";
import { conversation, expectConversation } from "./conversation.js";

const bot = new URL("../bot.mjs", import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), "switchboard-embed-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("embedding the core in another bot", () => {
  it("keeps the host bot's features and adds Switchboard's commands, permissions and audit", () => {
    const env = { ...process.env, OPSBOT_DB: join(scratch, "opsbot.db") };
    expectConversation(execFileSync("node", [bot], { input: conversation, encoding: "utf8", env }));
  });
});
