/** The conversation both embed tests feed examples/embed/bot.mjs, and what its output must show. */
import { expect } from "vitest";

/** Lines as the host bot's chat log delivers them: the host's own command, allowed, denied, bad args, audit, ping. */
export const conversation = [
  "ana: hello",
  "ana: !restart web",
  "bo: !restart web",
  "ana: !restart db",
  "ana: !audit --command restart",
  "ana: opsbot: ping",
].join("\n");

/** The host's feature still answers, and Switchboard's commands, permissions, usage and audit log answer too. */
export function expectConversation(output: string): void {
  expect(output).toContain("opsbot> hello ana, I am the old bot");
  expect(output).toContain("opsbot> restarted web for ana");
  expect(output).toContain(
    "opsbot> ✖ denied: command restart requires permission service:restart, and your roles (guest) do not grant it",
  );
  expect(output).toMatch(/service must be one of web, worker, not "db"\nopsbot> usage: !restart <web\|worker>/);
  expect(output).toMatch(/opsbot> \d+ .*ana +restart +succeeded in \d+ms/);
  expect(output).toMatch(/opsbot> \d+ .*chatlog:bo +restart +denied/);
  expect(output).toContain("opsbot> pong, ana");
}
