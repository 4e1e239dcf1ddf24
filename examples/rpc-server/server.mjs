// A demo ChatOps RPC service with the talk's kind of commands — queue status, app servers across the front ends —
// on made-up data. The bot's rpc plugin (examples/rpc.yaml) turns its methods into `!ops …` commands.
//
//   CHATOPS_RPC_PUBLIC_KEY_FILE=bot.pub.pem PORT=8787 node examples/rpc-server/server.mjs
//
// CHATOPS_RPC_PUBLIC_KEY_FILE: the bot's public key (PEM); CHATOPS_RPC_PUBLIC_KEY_NEXT_FILE: a second one while the
// bot's key is rolled; CHATOPS_RPC_BASE_URL: the URL the bot uses to reach this service (default
// http://127.0.0.1:<PORT>) — signatures cover it, so it must be exactly what the bot's configuration says.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { ChatopsError, chatopsHandler, createChatopsServer, defineMethod } from "@switchboard/rpc-server";

const port = Number(process.env.PORT ?? 8787);
const keyFile = process.env.CHATOPS_RPC_PUBLIC_KEY_FILE;
if (!keyFile) {
  console.error("set CHATOPS_RPC_PUBLIC_KEY_FILE to the bot's public key (PEM)");
  process.exit(2);
}
const publicKeys = { switchboard: readFileSync(keyFile, "utf8") };
if (process.env.CHATOPS_RPC_PUBLIC_KEY_NEXT_FILE)
  publicKeys["switchboard-next"] = readFileSync(process.env.CHATOPS_RPC_PUBLIC_KEY_NEXT_FILE, "utf8");

// Made-up state: queues with depths, and app servers behind each front end.
const queues = { mail: 12, webhooks: 0, exports: 340, search: 3 };
const frontEnds = {
  fe1: { app1: "up", app2: "up", app3: "up" },
  fe2: { app4: "up", app5: "draining", app6: "up" },
  fe3: { app7: "down", app8: "up" },
};

const queueStatus = defineMethod({
  name: "queue",
  regex: "queue(?: (?<queue>[a-z0-9-]+))?",
  help: "ops queue [name] - how many jobs wait in the queues (or one)",
  handler: ({ params }) => {
    if (params.queue && !Object.hasOwn(queues, params.queue))
      throw new ChatopsError(`no queue called ${params.queue} (there are ${Object.keys(queues).join(", ")})`);
    const names = params.queue ? [params.queue] : Object.keys(queues);
    const worst = Math.max(...names.map((n) => queues[n]));
    return {
      result: names.map((n) => `${n}: ${queues[n]} waiting`).join("\n"),
      title: params.queue ? `Queue ${params.queue}` : "Queues",
      color: worst > 100 ? "ff0000" : worst > 10 ? "ddaa00" : "2eb886",
    };
  },
});

const appServers = defineMethod({
  name: "servers",
  regex: "servers(?: (?<frontend>fe\\d+))?",
  help: "ops servers [fe1] - app servers behind every front end (or one)",
  handler: ({ params }) => {
    if (params.frontend && !Object.hasOwn(frontEnds, params.frontend))
      throw new ChatopsError(`no front end ${params.frontend}`);
    const names = params.frontend ? [params.frontend] : Object.keys(frontEnds);
    const lines = names.map(
      (fe) =>
        `${fe}: ${Object.entries(frontEnds[fe])
          .map(([app, state]) => `${app} ${state}`)
          .join(", ")}`,
    );
    const down = names.flatMap((fe) =>
      Object.entries(frontEnds[fe])
        .filter(([, s]) => s === "down")
        .map(([a]) => a),
    );
    return {
      result: lines.join("\n"),
      title: down.length ? `${down.length} app server(s) down` : "All app servers up",
      color: down.length ? "ff0000" : "2eb886",
      buttons: down.map((app) => ({ label: `Restart ${app}`, command: `ops restart ${app}` })),
    };
  },
});

const restart = defineMethod({
  name: "restart",
  regex: "restart (?<app>app\\d+)",
  help: "ops restart <app> - restart one app server",
  handler: ({ params, user }) => {
    for (const servers of Object.values(frontEnds)) {
      if (Object.hasOwn(servers, params.app)) {
        servers[params.app] = "up";
        return `${params.app} restarted by ${user}; it is up`;
      }
    }
    throw new ChatopsError(`no app server ${params.app}`);
  },
});

const service = createChatopsServer({
  namespace: "ops",
  help: "Queues and app servers (demo data)",
  errorResponse: "The ops service failed; its log is where you started it.",
  baseUrls: [process.env.CHATOPS_RPC_BASE_URL ?? `http://127.0.0.1:${port}`],
  publicKeys,
  methods: [queueStatus, appServers, restart],
  onError: (error, method) => console.error(`method ${method} failed:`, error),
});

createServer(chatopsHandler(service)).listen(port, "127.0.0.1", () => {
  console.log(`ops ChatOps RPC service on http://127.0.0.1:${port}/_chatops`);
});
