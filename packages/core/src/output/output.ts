/**
 * The semantic output model. Handlers say *what* to show; each adapter decides *how*.
 * Every block has a plain-text rendering (see {@link renderText}) that is enough on its own.
 * @module
 */

/** Outcome colour of a status block. */
export type StatusLevel = "ok" | "warn" | "fail" | "info";

export interface TextBlock {
  type: "text";
  text: string;
}
export interface CodeBlock {
  type: "code";
  text: string;
  language?: string;
}
export interface TableBlock {
  type: "table";
  columns: string[];
  rows: string[][];
}
export interface FactsBlock {
  type: "facts";
  facts: Array<[key: string, value: string]>;
}
export interface StatusBlock {
  type: "status";
  level: StatusLevel;
  text: string;
}
export interface ImageBlock {
  type: "image";
  png: Uint8Array;
  alt: string;
  /** Text fallback for networks that cannot show images (e.g. a sparkline). */
  fallback?: string;
  /** A URL where the same picture can be seen, when one exists. */
  url?: string;
}
export interface LinkBlock {
  type: "link";
  url: string;
  text?: string;
}

/** One button: clicking it runs `command` as the person who clicked, with their permissions. */
export interface Action {
  /** Button text: `Acknowledge`. */
  label: string;
  /** The command line it runs, without prefix: `pager ack PX1`. */
  command: string;
  style?: "primary" | "danger";
}
/**
 * Buttons (Slack) or reactions (where configured) that run commands as whoever used them; in plain text, the
 * command lines to type. Never a way around permissions: it is exactly as if the person had typed the command.
 */
export interface ActionsBlock {
  type: "actions";
  actions: Action[];
}

/** One piece of output. */
export type Block =
  | TextBlock
  | CodeBlock
  | TableBlock
  | FactsBlock
  | StatusBlock
  | ImageBlock
  | LinkBlock
  | ActionsBlock;

/** What a handler may reply with: a string (a text block), one block, or several. */
export type Reply = string | Block | Block[];

/** What the runtime sends to an adapter. */
export interface OutgoingMessage {
  blocks: Block[];
  /** Why this is being sent: a reply, streamed progress of a job, or a notice (approval requests, results). */
  kind: "reply" | "progress" | "notice" | "announcement";
  /** The job this output belongs to, when there is one (adapters may edit progress messages in place). */
  jobId?: string;
  /** True on the message asking for approval of job `jobId` (adapters may let people approve by reacting to it). */
  approvalRequest?: boolean;
  /** Where the message should go when the network has threads (set by core for announcements in a thread). */
  thread?: string;
}

/** Normalises a {@link Reply} to a list of blocks. */
export function toBlocks(reply: Reply): Block[] {
  if (typeof reply === "string") return [{ type: "text", text: reply }];
  return Array.isArray(reply) ? reply : [reply];
}

/** Builders for output blocks, so handlers read naturally: `reply(out.status("ok", "deployed"))`. */
export const out = {
  text: (text: string): TextBlock => ({ type: "text", text }),
  code: (text: string, language?: string): CodeBlock =>
    language === undefined ? { type: "code", text } : { type: "code", text, language },
  table: (columns: string[], rows: string[][]): TableBlock => ({ type: "table", columns, rows }),
  facts: (facts: Record<string, string> | Array<[string, string]>): FactsBlock => ({
    type: "facts",
    facts: Array.isArray(facts) ? facts : Object.entries(facts),
  }),
  status: (level: StatusLevel, text: string): StatusBlock => ({ type: "status", level, text }),
  image: (png: Uint8Array, alt: string, extra: { fallback?: string; url?: string } = {}): ImageBlock => ({
    type: "image",
    png,
    alt,
    ...extra,
  }),
  link: (url: string, text?: string): LinkBlock =>
    text === undefined ? { type: "link", url } : { type: "link", url, text },
  actions: (...actions: Action[]): ActionsBlock => ({ type: "actions", actions }),
};
