/**
 * What the plugin asks HAProxy, in its terms: `show stat` read into one record per server, and the runtime changes
 * `set server <backend>/<server> state ready|drain|maint` and `set server … weight <n>`. HAProxy answers a change
 * with an empty line on success and a sentence otherwise; that sentence is the error.
 * @module
 */
import type { RuntimeApi } from "./runtime-api.js";

/** One server of one backend as one HAProxy instance reports it. */
export interface ServerStatus {
  backend: string;
  server: string;
  /** HAProxy's status column: `UP`, `DOWN`, `DRAIN`, `MAINT`, `NOLB`, `no check`, `UP 1/2`, `MAINT (via …)`. */
  status: string;
  /** Health check: status and description (`L7OK 200`, `L4CON Connection refused`), empty without checks. */
  check: string;
  /** Current sessions. */
  current: number;
  /** Sessions since start. */
  total: number;
  /** The weight set by configuration or the runtime API (`uweight`). */
  weight: number;
}

/** A runtime state a server can be put in. */
export type AdminState = "ready" | "drain" | "maint";

/** An error HAProxy answered with (its own words). */
export class HaproxyAnswerError extends Error {}

/** Reads `show stat` CSV (header line `# pxname,svname,…`) into server records (frontends and backends left out). */
export function parseServers(csv: string): ServerStatus[] {
  const lines = csv.split("\n").filter((line) => line.length > 0);
  const headerLine = lines.shift();
  if (!headerLine?.startsWith("# "))
    throw new HaproxyAnswerError(`not a show stat answer: ${(headerLine ?? "(empty)").slice(0, 120)}`);
  const header = headerLine.slice(2).split(",");
  const col = (name: string) => header.indexOf(name);
  const at = { px: col("pxname"), sv: col("svname"), st: col("status"), scur: col("scur"), stot: col("stot") };
  const weightCol = col("uweight") >= 0 ? col("uweight") : col("weight");
  const checkCol = col("check_status");
  const codeCol = col("check_code");
  const descCol = col("check_desc");
  const servers: ServerStatus[] = [];
  for (const line of lines) {
    const cells = line.split(",");
    const server = cells[at.sv] ?? "";
    if (server === "FRONTEND" || server === "BACKEND") continue;
    // HAProxy marks a check in progress with "* " before its last result.
    // HAProxy marks a check in progress with "* " before its last result, and its code is 0 until it ends.
    const code = cells[codeCol] && cells[codeCol] !== "0" ? cells[codeCol] : undefined;
    const check = [cells[checkCol]?.replace(/^\* /, ""), code].filter(Boolean).join(" ");
    const desc = cells[descCol] ?? "";
    servers.push({
      backend: cells[at.px] ?? "",
      server,
      status: cells[at.st] ?? "",
      check: check && desc && !/check passed/i.test(desc) ? `${check} (${desc})` : check,
      current: Number(cells[at.scur]) || 0,
      total: Number(cells[at.stot]) || 0,
      weight: Number(cells[weightCol]) || 0,
    });
  }
  return servers;
}

/** Whether a server takes new traffic: UP (or without checks), not drained, not in maintenance, weight above 0. */
export function isServing(server: ServerStatus): boolean {
  return (/^UP\b/.test(server.status) || server.status === "no check") && server.weight > 0;
}

/** One HAProxy instance's runtime API, as operations. */
export class Haproxy {
  constructor(
    readonly name: string,
    private readonly api: RuntimeApi,
  ) {}

  get endpoint() {
    return this.api.endpoint;
  }

  /** Every server of every backend (`show stat`). */
  async servers(signal?: AbortSignal): Promise<ServerStatus[]> {
    return parseServers(await this.api.run(["show", "stat"], signal));
  }

  /** `set server <backend>/<server> state <state>`. */
  async setState(backend: string, server: string, state: AdminState, signal?: AbortSignal): Promise<void> {
    await this.#change(["set", "server", `${backend}/${server}`, "state", state], signal);
  }

  /** `set server <backend>/<server> weight <weight>` (0–256). */
  async setWeight(backend: string, server: string, weight: number, signal?: AbortSignal): Promise<void> {
    if (!Number.isInteger(weight) || weight < 0 || weight > 256) throw new Error(`weight ${weight} is not 0–256`);
    await this.#change(["set", "server", `${backend}/${server}`, "weight", String(weight)], signal);
  }

  async #change(words: string[], signal?: AbortSignal): Promise<void> {
    const answer = (await this.api.run(words, signal)).trim();
    if (answer !== "") throw new HaproxyAnswerError(answer.split("\n")[0]!.slice(0, 200));
  }
}
