/**
 * Building and reading Matrix event content: message bodies, reply and thread relations, edits, and what a
 * received message says.
 * @module
 */
import type { ReplyTarget } from "@switchboard/core";
import type { RenderedText } from "./render.js";

/** A JSON object as Matrix event content. */
export type Content = Record<string, unknown>;

/** A bot message: `m.notice` (so other bots ignore it) with HTML and a plain-text fallback. */
export function noticeContent(text: RenderedText): Content {
  return {
    msgtype: "m.notice",
    body: text.body,
    format: "org.matrix.custom.html",
    formatted_body: text.formattedBody,
  };
}

/**
 * The relation that puts an answer where the question was: inside its thread (`m.thread`, with a reply fallback
 * for clients without threads), or as a reply (`m.in_reply_to`) to the command.
 */
export function relationFor(target: ReplyTarget, { asReply }: { asReply: boolean }): Content {
  const replyTo = asReply ? target.inReplyTo : undefined;
  if (target.thread) {
    return {
      "m.relates_to": {
        rel_type: "m.thread",
        event_id: target.thread,
        is_falling_back: replyTo === undefined,
        "m.in_reply_to": { event_id: replyTo ?? target.thread },
      },
    };
  }
  return replyTo ? { "m.relates_to": { "m.in_reply_to": { event_id: replyTo } } } : {};
}

/**
 * `content` with `m.mentions` (intentional mentions, Matrix 1.7): kept when it names whom the bot means to mention,
 * else empty, in an edit's `m.new_content` too. With the property present, clients and push rules do not read
 * mentions from the body, so an `@room` or a name inside text others wrote (a commit message, an alert annotation)
 * pings nobody.
 */
export function withMentions(content: Content): Content {
  const fresh = content["m.new_content"];
  const inner =
    fresh && typeof fresh === "object" && !("m.mentions" in fresh)
      ? { "m.new_content": { ...(fresh as Content), "m.mentions": {} } }
      : {};
  return { "m.mentions": {}, ...content, ...inner };
}

/** An edit (`m.replace`) of `eventId` with new content. */
export function editContent(eventId: string, content: Content): Content {
  const { "m.relates_to": _drop, ...fresh } = content;
  return {
    ...fresh,
    body: `* ${String(fresh.body)}`,
    ...(typeof fresh.formatted_body === "string" ? { formatted_body: `* ${fresh.formatted_body}` } : {}),
    "m.new_content": fresh,
    "m.relates_to": { rel_type: "m.replace", event_id: eventId },
    // The edit itself mentions nobody anew; whom the new content mentions is in m.new_content.
    "m.mentions": {},
  };
}

/** The `m.relates_to` of received content, if any. */
export function relatesTo(content: Content): Content | undefined {
  const relation = content["m.relates_to"];
  return relation && typeof relation === "object" ? (relation as Content) : undefined;
}

/** The thread root a message belongs to, when it was sent in a thread. */
export function threadOf(content: Content): string | undefined {
  const relation = relatesTo(content);
  return relation?.rel_type === "m.thread" && typeof relation.event_id === "string" ? relation.event_id : undefined;
}

/** True for an edit of another message (edits never run commands). */
export function isEdit(content: Content): boolean {
  return relatesTo(content)?.rel_type === "m.replace";
}

/** The text a person wrote: the body without the quoted reply fallback (`> <@user> …` lines) clients add. */
export function messageText(content: Content): string {
  const body = typeof content.body === "string" ? content.body : "";
  const relation = relatesTo(content);
  if (!relation?.["m.in_reply_to"] || relation.is_falling_back === true) return body;
  const lines = body.split("\n");
  let i = 0;
  while (i < lines.length && lines[i]!.startsWith(">")) i++;
  if (i > 0 && lines[i] === "") i++;
  return lines.slice(i).join("\n");
}
