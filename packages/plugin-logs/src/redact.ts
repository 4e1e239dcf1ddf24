/**
 * Redaction of log lines before they leave the bot process (room, private message, anything): built-in patterns for
 * passwords, tokens, keys and credentials in URLs, plus configured ones. A capture group named `keep` is kept (the
 * `password=` before a value). Built-in patterns use bounded repetition only, so a line costs time linear in its
 * length. A PEM private key block is hidden from its BEGIN line to its END line.
 * @module
 */

/** A redaction rule. */
export interface Redaction {
  /** A JavaScript regular expression (applied with flags `g` and `i`). */
  pattern: string;
  /** What replaces a match (after its `keep` group). */
  replacement: string;
}

const KEYS =
  "pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|auth[_-]?token|client[_-]?secret|private[_-]?key|credentials?|session[_-]?id|cookie";

/** The built-in redactions (`redact.defaults: true`). */
export const DEFAULT_REDACTIONS: readonly Redaction[] = [
  // key=value, key: value, "key":"value", ?key=value& — the value up to a space, quote or separator
  {
    pattern: `(?<keep>\\b(?:[a-z0-9]{1,24}[_-])?(?:${KEYS})["']?[ \\t]{0,8}[:=][ \\t]{0,8}["']?)[^\\s"'&,;]{1,512}`,
    replacement: "[redacted]",
  },
  // Authorization: Bearer … / Basic … / a bare credential, and a bearer token anywhere
  {
    pattern:
      "(?<keep>\\bauthorization[\"']?[ \\t]{0,8}[:=][ \\t]{0,8}[\"']?(?:bearer[ \\t]{1,8}|basic[ \\t]{1,8})?)[^\\s\"',;]{1,2048}",
    replacement: "[redacted]",
  },
  { pattern: "(?<keep>\\bbearer[ \\t]{1,8})[A-Za-z0-9._~+/-]{16,2048}=*", replacement: "[redacted]" },
  // scheme://user:password@host
  { pattern: "(?<keep>\\b[a-z][a-z0-9+.-]{0,20}://[^\\s:/@]{1,128}:)[^\\s@/]{1,256}(?=@)", replacement: "[redacted]" },
  // well-known token shapes: Slack, GitHub, GitLab, AWS access key ids, JWTs
  { pattern: "\\bxox[abprse]-[A-Za-z0-9-]{10,256}", replacement: "[redacted]" },
  {
    pattern: "\\b(?:gh[pousr]_[A-Za-z0-9]{16,255}|github_pat_[A-Za-z0-9_]{20,255}|glpat-[A-Za-z0-9_-]{16,64})",
    replacement: "[redacted]",
  },
  { pattern: "\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b", replacement: "[redacted]" },
  { pattern: "\\beyJ[A-Za-z0-9_-]{4,2048}\\.[A-Za-z0-9_-]{4,4096}\\.[A-Za-z0-9_-]{0,1024}", replacement: "[redacted]" },
];

/** What each line of a private key block becomes. */
export const KEY_LINE = "[redacted private key]";
const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY( BLOCK)?-----/;
const PEM_END = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY( BLOCK)?-----/;

/** Applies redactions to lines, one stream at a time (it remembers whether it is inside a private key block). */
export class Redactor {
  readonly #rules: Array<{ regex: RegExp; replacement: string }>;
  #inKey = false;

  constructor(rules: readonly Redaction[]) {
    this.#rules = rules.map((r) => ({ regex: new RegExp(r.pattern, "gi"), replacement: r.replacement }));
  }

  /** A fresh redactor with the same rules (for another stream). */
  fork(): Redactor {
    return new Redactor(this.#rules.map((r) => ({ pattern: r.regex.source, replacement: r.replacement })));
  }

  /**
   * Follows private key blocks: whether `text` is part of one (its BEGIN line, a body line or its END line). Call it
   * for every line of the stream, in order, shown or not.
   */
  inKeyBlock(text: string): boolean {
    if (this.#inKey) {
      if (PEM_END.test(text)) this.#inKey = false;
      return true;
    }
    if (!PEM_BEGIN.test(text)) return false;
    this.#inKey = !PEM_END.test(text);
    return true;
  }

  /** The line with every secret the patterns find replaced (no key block state). */
  rules(text: string): string {
    let out = text;
    for (const { regex, replacement } of this.#rules)
      out = out.replace(regex, (...args) => {
        const groups = args[args.length - 1] as Record<string, string | undefined> | undefined;
        const keep = typeof groups === "object" && groups ? (groups.keep ?? "") : "";
        return `${keep}${replacement}`;
      });
    return out;
  }

  /** The next line of the stream with every secret replaced. */
  line(text: string): string {
    return this.inKeyBlock(text) ? KEY_LINE : this.rules(text);
  }
}

/** The redactions of a configuration: the built-in ones (unless turned off), then the configured ones. */
export function redactionsOf(config: { defaults: boolean; patterns: Redaction[] }): Redaction[] {
  return [...(config.defaults ? DEFAULT_REDACTIONS : []), ...config.patterns];
}
