/**
 * The shell adapter: chat with the bot from a terminal, or feed it commands line by line through a pipe.
 * @module
 */
import { createInterface, type Interface } from "node:readline";
import type {
  Adapter,
  AdapterCapabilities,
  AdapterHost,
  IncomingMessage,
  OutgoingMessage,
  ReplyTarget,
} from "@switchboard/core";
import { appendHistory, loadHistory } from "./history.js";
import { osLogin } from "./login.js";
import { renderForTerminal } from "./render.js";
import { parseSlash, slashHelp } from "./slash.js";

/** Options for {@link ShellAdapter}. Every option has a default. */
export interface ShellAdapterOptions {
  /** Network name the bot sees (principals' `identities` use it). Default `"shell"`. */
  network?: string;
  /** Where lines are read from. Default `process.stdin`. */
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Where replies are written. Default `process.stdout`. */
  output?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Who is speaking at first (changed with `/as NAME`). Default: the OS login name (`os.userInfo().username`). */
  user?: string;
  /** Prompt, line editing and history. Default: true when `input` is a TTY. */
  interactive?: boolean;
  /** ANSI colour for status blocks. Default: true when `output` is a TTY and `NO_COLOR` is not set. */
  color?: boolean;
  /** File the interactive line history is kept in; `false` for none. Default `./.switchboard/shell_history`. */
  historyFile?: string | false;
  /** Lines of history kept. Default 1000. */
  historySize?: number;
  /** Room id (and name) of the conversation. Default `"terminal"`. */
  room?: string;
  /**
   * Handle one line at a time, each after the previous one finished (or is waiting for approval), so piped
   * output comes in input order. Default: true when not interactive. When false, lines run concurrently.
   */
  sequential?: boolean;
}

/**
 * A terminal as a chat network. Every line is a direct message in the room `terminal` (so no prefix is needed,
 * though `!ping` works too) from the current speaker, with `verified: true`: whoever has the terminal is trusted
 * as the login they run under, just as they are trusted with the configuration and database files.
 * `/as NAME` switches speaker, so one terminal can play several people (requests and approvals).
 *
 * Output is the plain-text rendering of core ({@link renderForTerminal}), written at the end of the current
 * event-loop turn; status blocks are coloured when the output is a TTY.
 * {@link ShellAdapter.ended} resolves when the input ends (Ctrl-D, `/quit`, end of a pipe) and every line read so
 * far has been handled.
 */
export class ShellAdapter implements Adapter {
  readonly network: string;
  readonly capabilities: AdapterCapabilities = {};
  /** Resolves when the input has ended (or {@link stop} was called) and every line read has been handled. */
  readonly ended: Promise<void>;

  readonly #input: NonNullable<ShellAdapterOptions["input"]>;
  readonly #output: NonNullable<ShellAdapterOptions["output"]>;
  readonly #interactive: boolean;
  readonly #color: boolean;
  readonly #sequential: boolean;
  readonly #historyFile: string | false;
  readonly #historySize: number;
  readonly #room: string;
  #speaker: string;
  #host: AdapterHost | undefined;
  #rl: Interface | undefined;
  #queue: Promise<void> = Promise.resolve();
  readonly #inFlight = new Set<Promise<void>>();
  #buffer = "";
  #flushScheduled = false;
  #closed = false;
  #stopped = false;
  #interrupted = false;
  #seq = 0;
  #resolveEnded!: () => void;

  constructor(options: ShellAdapterOptions = {}) {
    this.network = options.network ?? "shell";
    this.#input = options.input ?? process.stdin;
    this.#output = options.output ?? process.stdout;
    this.#interactive = options.interactive ?? this.#input.isTTY === true;
    this.#color = options.color ?? (this.#output.isTTY === true && !process.env.NO_COLOR);
    this.#sequential = options.sequential ?? !this.#interactive;
    this.#historyFile = options.historyFile ?? "./.switchboard/shell_history";
    this.#historySize = options.historySize ?? 1000;
    this.#room = options.room ?? "terminal";
    this.#speaker = options.user ?? osLogin();
    this.ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
  }

  /** Who is speaking now. */
  get speaker(): string {
    return this.#speaker;
  }

  async start(host: AdapterHost): Promise<void> {
    if (this.#rl) return;
    this.#host = host;
    host.status({ connected: true, detail: "terminal" });
    this.#output.on("error", (err: unknown) => host.logger.warn({ err }, "shell output failed"));
    const history = this.#interactive && this.#historyFile ? loadHistory(this.#historyFile, this.#historySize) : [];
    const rl = createInterface({
      input: this.#input,
      output: this.#interactive ? this.#output : undefined,
      terminal: this.#interactive,
      crlfDelay: Number.POSITIVE_INFINITY,
      history,
      historySize: this.#historySize,
      removeHistoryDuplicates: true,
      prompt: this.#prompt(),
    });
    this.#rl = rl;
    rl.on("line", (line) => this.#onLine(line));
    rl.on("close", () => void this.#onClose());
    if (this.#interactive) {
      rl.on("SIGINT", () => this.#onInterrupt());
      this.#output.write(
        `Switchboard shell: you are ${this.#speaker} on network "${this.network}".\n` +
          'Type "help" for the bot\'s commands, "/help" for the shell\'s, Ctrl-D to leave.\n',
      );
      rl.prompt();
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#rl?.close();
    this.#flush();
  }

  async send(_target: ReplyTarget, message: OutgoingMessage): Promise<void> {
    const lines = renderForTerminal(message, { colour: this.#color });
    if (lines.length) this.#write(lines);
  }

  #prompt(): string {
    return `${this.#speaker}> `;
  }

  #onLine(raw: string): void {
    this.#interrupted = false;
    const line = raw.trim();
    if (line && this.#interactive && this.#historyFile) appendHistory(this.#historyFile, line);
    if (this.#sequential) {
      this.#queue = this.#queue.then(() => this.#process(line));
    } else {
      const done = this.#process(line).finally(() => this.#inFlight.delete(done));
      this.#inFlight.add(done);
    }
    if (this.#interactive && !this.#closed) this.#rl?.prompt();
  }

  async #process(line: string): Promise<void> {
    if (this.#stopped || !line) return;
    const slash = parseSlash(line);
    if (slash) {
      switch (slash.kind) {
        case "as":
          if (slash.name) {
            this.#speaker = slash.name;
            this.#rl?.setPrompt(this.#prompt());
            this.#say([`now speaking as ${slash.name}`]);
          } else this.#say([`you are ${this.#speaker}`]);
          return;
        case "help":
          this.#say(slashHelp(this.#speaker));
          return;
        case "usage":
          this.#say([slash.text]);
          return;
        case "quit":
          this.#rl?.close();
          this.#stopped = true;
          return;
      }
    }
    const message = this.#message(line);
    try {
      await this.#host?.receive(message);
    } catch (err) {
      this.#host?.logger.error({ err, messageId: message.id }, "the bot failed to handle a line");
    }
  }

  #message(text: string): IncomingMessage {
    return {
      id: `${this.network}-${Date.now().toString(36)}-${++this.#seq}`,
      network: this.network,
      room: { id: this.#room, name: this.#room, direct: true },
      sender: { id: this.#speaker, name: this.#speaker, verified: true },
      text,
      time: new Date(),
    };
  }

  /** Ctrl-C: clears a typed line; on an empty line warns once, and leaves when pressed again. */
  #onInterrupt(): void {
    const rl = this.#rl!;
    if (rl.line.length > 0) {
      this.#interrupted = false;
      rl.write(null, { ctrl: true, name: "e" });
      rl.write(null, { ctrl: true, name: "u" });
      return;
    }
    if (this.#interrupted) {
      rl.close();
      return;
    }
    this.#interrupted = true;
    this.#say(["(to leave, press Ctrl-C again or Ctrl-D, or type /quit)"]);
  }

  async #onClose(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#interactive) this.#buffer += "\n";
    await this.#queue;
    await Promise.all([...this.#inFlight]);
    this.#flush();
    this.#resolveEnded();
  }

  /** Lines from the shell itself (not the bot). */
  #say(lines: string[]): void {
    if (lines.length) this.#write(lines);
  }

  #write(lines: string[]): void {
    this.#buffer += `${lines.join("\n")}\n`;
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // Written at the end of this event-loop turn: cheaper for bursts, and whatever the bot records in the same
    // turn (a job's outcome in the audit log) is stored before the reply is seen.
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (!this.#buffer) return;
    const text = this.#buffer;
    this.#buffer = "";
    const rl = this.#rl;
    if (this.#interactive && rl && !this.#closed) {
      // Print above the prompt, then redraw the prompt with whatever the user had typed.
      this.#output.write("\r\u001b[2K");
      this.#output.write(text);
      rl.prompt(true);
    } else {
      this.#output.write(text);
    }
  }
}
