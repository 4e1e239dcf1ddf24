/**
 * Slack's text encoding, both ways: what arrives (`&amp;`, `<@U123>`, `<https://x|x>`) decoded to the plain text a
 * person typed, and what leaves escaped so that output can never ping `@channel` or fake a link.
 * @module
 */

/** Escapes `&`, `<` and `>` (the only characters Slack's mrkdwn and `text` fields need escaped). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Undoes Slack's entity escaping. */
export function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** How to show a user mentioned in a message (`<@U123>`) as text. */
export type MentionName = (userId: string) => string | undefined;

/**
 * The plain text of a Slack message: user mentions as `@name` (or `@U123`), channels as `#name`, special mentions
 * as `@here`, links as the text the person typed (`<https://fs1.example.com|fs1.example.com>` → `fs1.example.com`),
 * and entities decoded. This is what commands are parsed from.
 */
export function decodeSlackText(text: string, mentionName: MentionName = () => undefined): string {
  const decoded = text.replace(/<([^<>]*)>/g, (_whole, inner: string) => {
    const bar = inner.indexOf("|");
    const target = bar >= 0 ? inner.slice(0, bar) : inner;
    const label = bar >= 0 ? inner.slice(bar + 1) : undefined;
    if (target.startsWith("@")) return `@${label ?? mentionName(target.slice(1)) ?? target.slice(1)}`;
    if (target.startsWith("#")) return `#${label ?? target.slice(1)}`;
    if (target.startsWith("!subteam^")) return label ?? "@group";
    if (target.startsWith("!")) return `@${label ?? target.slice(1).split("^")[0]}`;
    if (label !== undefined) return label;
    return target.startsWith("mailto:") ? target.slice("mailto:".length) : target;
  });
  return decodeEntities(decoded);
}

/**
 * When `text` starts with a mention of `botUserId` (`<@UBOT> deploy …`), the rest of it (still encoded);
 * otherwise undefined.
 */
export function afterLeadingMention(text: string, botUserId: string): string | undefined {
  const match = /^\s*<@([A-Z0-9]+)(?:\|[^>]*)?>[:,]?\s*/.exec(text);
  if (!match || match[1] !== botUserId) return undefined;
  return text.slice(match[0].length);
}

/** A link in mrkdwn: `<url|text>`, escaped so neither part can break out. */
export function mrkdwnLink(url: string, text?: string): string {
  const safeUrl = escapeMrkdwn(url).replace(/\|/g, "%7C");
  return text === undefined || text === url ? `<${safeUrl}>` : `<${safeUrl}|${escapeMrkdwn(text).replace(/\|/g, "¦")}>`;
}

/** A code block in mrkdwn. Three backticks inside the code are broken up (with a zero-width space) so it can't end early. */
export function mrkdwnCode(text: string): string {
  return `\`\`\`\n${escapeMrkdwn(text).replace(/```/g, "`\u200b``")}\n\`\`\``;
}
