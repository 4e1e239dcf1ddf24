import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ChartImages, signingKey } from "../src/images.js";
import { Slots } from "../src/slots.js";

const png = (size: number) => new Uint8Array(randomBytes(size));
const query = (url: string) => Object.fromEntries(new URL(url).searchParams);

function images(now: { t: number }, extra: Partial<ConstructorParameters<typeof ChartImages>[0]> = {}) {
  return new ChartImages({
    key: randomBytes(32),
    publicUrl: "https://bot.example.org/base",
    path: "/metrics/chart",
    ttlMs: 60_000,
    maxImages: 3,
    maxBytes: 10_000,
    now: () => now.t,
    ...extra,
  });
}

describe("signed image links", () => {
  it("serve the image until the link expires, then nothing", () => {
    const now = { t: 1_000_000 };
    const store = images(now);
    const image = png(100);
    const url = store.publish(image)!;
    expect(url).toMatch(/^https:\/\/bot\.example\.org\/base\/metrics\/chart\?id=[\w-]{22}&exp=\d+&sig=[\w-]{43}$/);
    expect(store.lookup(query(url))).toEqual(image);
    now.t += 60_001;
    expect(store.lookup(query(url))).toBeUndefined();
  });

  it("are not valid with another key (a restart) or an extended expiry", () => {
    const now = { t: 1_000_000 };
    const a = images(now);
    const url = a.publish(png(10))!;
    const b = images(now);
    expect(b.lookup(query(url))).toBeUndefined();
    const q = query(url);
    expect(a.lookup({ ...q, exp: String(Number(q.exp) + 1) })).toBeUndefined();
  });

  it("keep at most maxImages and maxBytes, dropping the oldest", () => {
    const now = { t: 1_000_000 };
    const store = images(now);
    const urls = [1, 2, 3, 4].map(() => store.publish(png(1000))!);
    expect(store.size()).toEqual({ images: 3, bytes: 3000 });
    expect(store.lookup(query(urls[0]!))).toBeUndefined();
    expect(store.lookup(query(urls[3]!))).toBeDefined();
    store.publish(png(8000));
    expect(store.size()).toEqual({ images: 3, bytes: 10_000 });
    store.publish(png(9500));
    expect(store.size()).toEqual({ images: 1, bytes: 9500 });
    expect(store.publish(png(20_000))).toBeUndefined();
  });

  it("answer every bad request with the same 404", async () => {
    const store = images({ t: 1_000_000 });
    const route = store.route();
    const request = (q: Record<string, string>) =>
      route.handler({
        method: "GET",
        path: route.path,
        headers: {},
        query: q,
        rawBody: Buffer.alloc(0),
        ip: "127.0.0.1",
      });
    const url = store.publish(png(10))!;
    const good = query(url);
    const answers = await Promise.all([
      request({}),
      request({ ...good, sig: "x" }),
      request({ ...good, id: "y".repeat(22) }),
      request({ ...good, exp: "abc" }),
    ]);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]!.status).toBe(404);
    expect((await request(good)).status).toBe(200);
  });

  it("need a real key from the environment when one is configured", () => {
    process.env.METRICS_TEST_KEY = "short";
    expect(() => signingKey("METRICS_TEST_KEY")).toThrow(/at least 32/);
    process.env.METRICS_TEST_KEY = "k".repeat(40);
    expect(signingKey("METRICS_TEST_KEY").length).toBe(40);
    delete process.env.METRICS_TEST_KEY;
    expect(signingKey(undefined).length).toBe(32);
  });
});

describe("render slots", () => {
  it("run at most N tasks at once and let waiting ones give up", async () => {
    const slots = new Slots(2);
    let running = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const task = () =>
      slots.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
      });
    const tasks = [task(), task(), task()];
    await new Promise((r) => setTimeout(r, 10));
    expect(running).toBe(2);
    const controller = new AbortController();
    const abandoned = slots.run(async () => "never", controller.signal);
    controller.abort(new Error("cancelled"));
    await expect(abandoned).rejects.toThrow("cancelled");
    while (releases.length > 0 || running > 0) {
      releases.shift()?.();
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(tasks);
    expect(peak).toBe(2);
  });
});
