/**
 * Instances as separate Node processes (test/fault/instance.mjs, on the built package), with what they print
 * collected as events: for the fault tests, which kill, stop and freeze them.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { eventually } from "@switchboard/test-servers";
import { onCleanup } from "./helpers.js";

const faultInstance = fileURLToPath(new URL("./fault/instance.mjs", import.meta.url));

/** Something an instance printed. */
export interface InstanceEvent {
  ev: string;
  instance: string;
  [key: string]: unknown;
}

/** A running instance process. */
export class InstanceProcess {
  readonly events: InstanceEvent[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    env: Record<string, string>,
    /** The instance script (default test/fault/instance.mjs). */
    script: string = faultInstance,
  ) {
    this.child = spawn(process.execPath, [script], {
      env: { ...process.env, INSTANCE: name, ...env },
      stdio: ["pipe", "pipe", "inherit"],
    });
    this.exited = new Promise((resolve) => this.child.once("exit", () => resolve()));
    let buffer = "";
    this.child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline = buffer.indexOf("\n");
      while (newline >= 0) {
        this.events.push(JSON.parse(buffer.slice(0, newline)) as InstanceEvent);
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf("\n");
      }
    });
    onCleanup(async () => {
      if (this.child.exitCode === null && this.child.signalCode === null) {
        this.child.kill("SIGCONT");
        this.child.kill("SIGKILL");
      }
      await this.exited;
    });
  }

  /** The first event `ev` (matching `where`), waiting up to `timeoutMs` for it. */
  waitFor(ev: string, where: (event: InstanceEvent) => boolean = () => true, timeoutMs = 30_000) {
    return eventually(
      `${this.name} to report ${ev}`,
      () => this.events.find((e) => e.ev === ev && where(e)),
      timeoutMs,
    );
  }

  has(ev: string): boolean {
    return this.events.some((e) => e.ev === ev);
  }

  /** Delivers a chat message to a `bot` instance. */
  say(id: string, text: string): void {
    this.child.stdin!.write(`${id} ${text}\n`);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}
