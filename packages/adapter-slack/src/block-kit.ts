/**
 * The few Block Kit shapes the adapter sends, and Slack's documented limits for them.
 * @module
 */

/** Slack's limits (https://docs.slack.dev/reference/block-kit/blocks). */
export const limits = {
  /** Blocks in one message. */
  blocksPerMessage: 50,
  /** Characters of a section's text. */
  sectionText: 3000,
  /** Characters of one section field. */
  fieldText: 2000,
  /** Fields in one section. */
  fieldsPerSection: 10,
  /** Characters of a header's text. */
  headerText: 150,
  /** Elements in one actions block. */
  actionsPerBlock: 25,
  /** Characters of a button's label. */
  buttonText: 75,
  /** Characters of a button's value. */
  buttonValue: 2000,
  /** Elements in one context block. */
  contextElements: 10,
} as const;

export interface TextObject {
  type: "mrkdwn" | "plain_text";
  text: string;
  emoji?: boolean;
}

export interface SectionBlock {
  type: "section";
  text?: TextObject;
  fields?: TextObject[];
}

export interface HeaderBlock {
  type: "header";
  text: TextObject & { type: "plain_text" };
}

export interface ContextBlock {
  type: "context";
  elements: TextObject[];
}

export interface ButtonElement {
  type: "button";
  action_id: string;
  text: TextObject & { type: "plain_text" };
  value: string;
  style?: "primary" | "danger";
}

export interface ActionsBlock {
  type: "actions";
  block_id?: string;
  elements: ButtonElement[];
}

/** A block the adapter sends. */
export type SlackBlock = SectionBlock | HeaderBlock | ContextBlock | ActionsBlock;

/** A mrkdwn section. */
export function section(text: string): SectionBlock {
  return { type: "section", text: { type: "mrkdwn", text } };
}

/** A context line in mrkdwn. */
export function context(text: string): ContextBlock {
  return { type: "context", elements: [{ type: "mrkdwn", text }] };
}

/** A header (plain text, cut to Slack's limit with an ellipsis). */
export function header(text: string): HeaderBlock {
  const cut = text.length > limits.headerText ? `${text.slice(0, limits.headerText - 1)}…` : text;
  return { type: "header", text: { type: "plain_text", text: cut, emoji: true } };
}

/** A button. Labels longer than Slack allows end in an ellipsis (the value, which is what matters, never). */
export function button(actionId: string, label: string, value: string, style?: "primary" | "danger"): ButtonElement {
  const text = label.length > limits.buttonText ? `${label.slice(0, limits.buttonText - 1)}…` : label;
  return {
    type: "button",
    action_id: actionId,
    text: { type: "plain_text", text, emoji: true },
    value,
    ...(style ? { style } : {}),
  };
}

/** Action ids of the adapter's buttons. */
export const actionIds = {
  approve: "switchboard.approve",
  deny: "switchboard.deny",
  /** Prefix of buttons that run a command (`switchboard.run.0`, `.1`, … so ids are unique in a message). */
  run: "switchboard.run.",
} as const;
