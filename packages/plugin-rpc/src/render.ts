/**
 * A method's answer in core's output model: `result` as text (always enough on its own), `title`/`title_link`,
 * `color` as a status level, `image_url` as a link, `buttons` as actions that run the endpoint's own commands as
 * whoever clicks. Everything is the server's text: control characters are removed and lengths capped.
 * @module
 */
import { type Action, type Block, out, UserError } from "@switchboard/core";

/** Longest result shown (longer is cut, saying so). */
export const MAX_RESULT_CHARS = 16_000;
const MAX_BUTTONS = 5;

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Server text made safe to show: no control or bidi-override characters, at most `max` characters. */
export function clean(value: string, max: number): string {
  const stripped = value.replace(CONTROL, "");
  return stripped.length > max ? `${stripped.slice(0, max)}… (cut at ${max} characters)` : stripped;
}

const httpUrl = (value: unknown): string | undefined => {
  if (typeof value !== "string" || value.length > 2000) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : undefined;
  } catch {
    return undefined;
  }
};

/** `ff0000` → fail, green → ok, yellow/orange → warn; other colours have no level. */
export function colorLevel(color: unknown): "ok" | "warn" | "fail" | undefined {
  if (typeof color !== "string") return undefined;
  const hex = /^#?([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(color.trim())?.[1];
  if (!hex) return undefined;
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join("") : hex;
  const [r, g, b] = [0, 2, 4].map((i) => Number.parseInt(full.slice(i, i + 2), 16) / 255) as [number, number, number];
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  if (max - min < 0.15) return undefined;
  let hue: number;
  if (max === r) hue = ((g - b) / (max - min) + 6) % 6;
  else if (max === g) hue = (b - r) / (max - min) + 2;
  else hue = (r - g) / (max - min) + 4;
  hue *= 60;
  if (hue < 20 || hue >= 330) return "fail";
  if (hue < 70) return "warn";
  if (hue < 170) return "ok";
  return undefined;
}

/**
 * A button's command as a command line of this endpoint: leading sigils (`.`, `!`, `/`) dropped, and the prefix put
 * in front unless it is there. A button can therefore never run another plugin's command.
 */
export function buttonCommand(prefix: string, command: unknown): string | undefined {
  if (typeof command !== "string") return undefined;
  const line = clean(command, 300)
    .replace(/^[.!/\s]+/, "")
    .trim();
  if (line === "") return undefined;
  const first = line.split(/\s+/)[0]!.toLowerCase();
  return first === prefix ? line : `${prefix} ${line}`;
}

/** The blocks of a successful answer. Throws a UserError when there is no `result`. */
export function renderAnswer(answer: Record<string, unknown>, prefix: string, errorResponse?: string): Block[] {
  if (typeof answer.result !== "string") {
    throw new UserError(
      errorResponse ? clean(errorResponse, 500) : "the endpoint answered without a result",
      errorResponse ? undefined : 'the answer had no "result" text',
    );
  }
  const blocks: Block[] = [];
  const title = typeof answer.title === "string" && answer.title.trim() ? clean(answer.title, 300) : undefined;
  const level = colorLevel(answer.color);
  if (title) {
    const link = httpUrl(answer.title_link);
    if (link) blocks.push(out.link(link, title));
    else if (level) blocks.push(out.status(level, title));
    else blocks.push(out.text(title));
  }
  const result = clean(answer.result, MAX_RESULT_CHARS);
  blocks.push(!title && level ? out.status(level, result) : out.text(result));
  const image = httpUrl(answer.image_url);
  if (image) blocks.push(out.link(image, "image"));
  if (Array.isArray(answer.buttons)) {
    const actions: Action[] = [];
    for (const button of answer.buttons.slice(0, MAX_BUTTONS)) {
      if (typeof button !== "object" || button === null) continue;
      const b = button as Record<string, unknown>;
      const command = buttonCommand(prefix, b.command);
      const label = typeof b.label === "string" && b.label.trim() ? clean(b.label, 60) : command;
      if (command && label) actions.push({ label, command });
    }
    if (actions.length > 0) blocks.push(out.actions(...actions));
  }
  return blocks;
}

/** The message of a JSON-RPC error answer, if the body is one. */
export function jsonRpcError(body: unknown): { code?: number; message: string } | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const error = (body as Record<string, unknown>).error;
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as Record<string, unknown>;
  const message = typeof e.message === "string" && e.message.trim() ? clean(e.message, 1000) : "error without message";
  return { code: typeof e.code === "number" ? e.code : undefined, message };
}
