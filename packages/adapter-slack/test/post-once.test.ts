/**
 * A post is never repeated when the first attempt may have reached Slack. The local Slack carries out a
 * `chat.postMessage` and then loses its answer (the connection dropped, or the answer later than the client's
 * timeout): the real `@slack/web-api` client sees a failure, and before this fix its retry posted the answer again.
 * What Slack certainly refused (a 429) is still sent again, once.
 */
import { type Logger, silentLogger } from "@switchboard/core";
import { freePort } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postOnce, UncertainPostError } from "../src/post-once.js";
import { ops, people, type Rig, settle, startRig, textsIn } from "./rig.js";

/** A logger that keeps what was logged (the bot's and the adapter's). */
function recordingLogger(lines: Array<{ level: string; obj: Record<string, unknown>; msg?: string }>): Logger {
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, obj: obj as Record<string, unknown>, ...(msg !== undefined ? { msg } : {}) });
    };
  const logger: Logger = {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: () => logger,
  };
  return logger;
}

describe("Slack posts that may have arrived are not sent again", () => {
  let rig: Rig;
  const logged: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> = [];

  beforeAll(async () => {
    // A short request timeout, so that an answer the local Slack holds back for a second counts as timed out.
    rig = await startRig({ adapter: { requestTimeout: 300 }, logger: recordingLogger(logged) });
  });
  afterAll(async () => {
    await rig?.close();
  });

  /** Asks `!echo <text>` in a thread of its own and waits until the bot has done all it will do with it. */
  async function askInThread(text: string): Promise<string> {
    const thread = rig.slack.nextTs();
    await rig.people.say(people.alice, ops, `!echo ${text}`, { thread_ts: thread });
    // The answer is in the thread (posted by the local Slack, whatever the client saw); then everything settles.
    await rig.slack.until(`the answer "${text}"`, () => textsIn(rig.slack, ops, thread).length > 0);
    await settle(rig);
    return thread;
  }

  function uncertainErrors() {
    return logged.filter((l) => l.level === "error" && typeof l.obj.correlationId === "string");
  }

  it("posts an answer once when the connection is lost after Slack posted it", async () => {
    rig.slack.loseNextAnswer("chat.postMessage", { drop: true });
    const thread = await askInThread("connection lost");
    expect(textsIn(rig.slack, ops, thread)).toEqual(["echo: connection lost"]);
    expect(rig.slack.callsOf("chat.postMessage").filter((c) => c.args.thread_ts === thread)).toHaveLength(1);
  });

  it("posts an answer once when Slack's answer comes after the client's timeout", async () => {
    rig.slack.loseNextAnswer("chat.postMessage", { delayMs: 1500 });
    const thread = await askInThread("slow answer");
    expect(textsIn(rig.slack, ops, thread)).toEqual(["echo: slow answer"]);
    expect(rig.slack.callsOf("chat.postMessage").filter((c) => c.args.thread_ts === thread)).toHaveLength(1);
  });

  it("logs each such post as an error with a correlation id, the channel, the thread and the job", async () => {
    const errors = uncertainErrors();
    expect(errors).toHaveLength(2);
    for (const error of errors) {
      expect(error.obj).toMatchObject({ method: "chat.postMessage", channel: ops, network: "slack" });
      expect(error.obj.correlationId).toMatch(/^E-[0-9a-f]{8}$/);
      expect(typeof error.obj.jobId).toBe("string");
      expect(typeof error.obj.thread).toBe("string");
    }
    // Core's own line about the undelivered reply carries the same reference.
    const ids = errors.map((e) => e.obj.correlationId as string);
    const undelivered = logged.filter((l) => l.msg === "could not deliver a reply").map((l) => String(l.obj.err));
    for (const id of ids) expect(undelivered.some((text) => text.includes(id))).toBe(true);
  });

  it("still sends a post again after a 429 (Slack refused it), once", async () => {
    const before = uncertainErrors().length;
    rig.slack.rateLimitNext("chat.postMessage", 1);
    const thread = await askInThread("after the limit");
    expect(textsIn(rig.slack, ops, thread)).toEqual(["echo: after the limit"]);
    const calls = rig.slack.callsOf("chat.postMessage").filter((c) => c.args.thread_ts === thread);
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(uncertainErrors()).toHaveLength(before);
  });
});

describe("postOnce with the real Web API client", () => {
  it("sends a post again when the connection was refused (nothing was sent), up to `retries` times", async () => {
    const { WebClient } = await import("@slack/web-api");
    // A port nothing listens on: every attempt is refused before a byte is sent.
    const port = await freePort();
    const poster = new WebClient("xoxb-test", {
      slackApiUrl: `http://127.0.0.1:${port}/api/`,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
      logger: { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel() {}, setName() {} } as never,
    });
    let attempts = 0;
    const error = await postOnce(
      () => {
        attempts += 1;
        return poster.chat.postMessage({ channel: ops, text: "refused" });
      },
      { method: "chat.postMessage", retries: 2, retryDelayMs: 10, logger: silentLogger(), context: {} },
    ).catch((err: unknown) => err);
    expect(attempts).toBe(3);
    expect(error).not.toBeInstanceOf(UncertainPostError);
    expect((error as { code?: string }).code).toBe("slack_webapi_request_error");
  });
});
