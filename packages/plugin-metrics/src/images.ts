/**
 * Chart images served over HTTP for networks that show links rather than pictures: kept in memory (capped by
 * count and bytes), reachable only through a signed, expiring URL (HMAC-SHA256 over id and expiry).
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { HttpRequest, HttpResponse, HttpRoute } from "@switchboard/core";

/** Options of a {@link ChartImages}. */
export interface ChartImagesOptions {
  /** The HMAC key (at least 32 bytes). */
  key: Buffer;
  /** The bot's public base URL; links are `publicUrl + path + ?id=…&exp=…&sig=…`. */
  publicUrl: string;
  path: string;
  ttlMs: number;
  maxImages: number;
  maxBytes: number;
  now?: () => number;
}

interface Kept {
  png: Uint8Array;
  expires: number;
}

const NOT_FOUND: HttpResponse = {
  status: 404,
  headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  body: "not found\n",
};

/** The key from `signingKeyEnv`, or a random one (links then end with the process). */
export function signingKey(variable: string | undefined): Buffer {
  if (variable === undefined) return randomBytes(32);
  const value = process.env[variable];
  if (!value || value.length < 32)
    throw new Error(`metrics: the image signing key in ${variable} must be set and at least 32 characters long`);
  return Buffer.from(value, "utf8");
}

/** Images in memory behind signed links. */
export class ChartImages {
  readonly #images = new Map<string, Kept>();
  #bytes = 0;
  readonly #now: () => number;

  constructor(private readonly options: ChartImagesOptions) {
    if (options.key.length < 32) throw new Error("the signing key must have at least 32 bytes");
    this.#now = options.now ?? Date.now;
  }

  #sign(id: string, expires: number): string {
    return createHmac("sha256", this.options.key).update(`${id}.${expires}`).digest("base64url");
  }

  #drop(id: string): void {
    const kept = this.#images.get(id);
    if (!kept) return;
    this.#bytes -= kept.png.byteLength;
    this.#images.delete(id);
  }

  /** Drops expired images, then the oldest ones until `extra` more bytes fit. */
  #makeRoom(extra: number): void {
    const now = this.#now();
    for (const [id, kept] of this.#images) if (kept.expires <= now) this.#drop(id);
    for (const id of this.#images.keys()) {
      if (this.#images.size < this.options.maxImages && this.#bytes + extra <= this.options.maxBytes) break;
      this.#drop(id);
    }
  }

  /** Keeps a PNG and returns its signed URL, or undefined when it alone is larger than the byte cap. */
  publish(png: Uint8Array): string | undefined {
    if (png.byteLength > this.options.maxBytes) return undefined;
    this.#makeRoom(png.byteLength);
    const id = randomBytes(16).toString("base64url");
    const expires = Math.floor((this.#now() + this.options.ttlMs) / 1000);
    this.#images.set(id, { png, expires: expires * 1000 });
    this.#bytes += png.byteLength;
    const url = new URL(this.options.publicUrl);
    url.pathname = `${url.pathname.replace(/\/+$/, "")}${this.options.path}`;
    url.search = new URLSearchParams({ id, exp: String(expires), sig: this.#sign(id, expires) }).toString();
    return url.toString();
  }

  /** The PNG for a request, if its signature is right, it has not expired and it is still kept. */
  lookup(query: Record<string, string | undefined>): Uint8Array | undefined {
    const { id, exp, sig } = query;
    if (!id || !exp || !sig || !/^\d{1,12}$/.test(exp) || id.length > 64) return undefined;
    const expires = Number(exp);
    const expected = Buffer.from(this.#sign(id, expires));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (expires * 1000 <= this.#now()) return undefined;
    const kept = this.#images.get(id);
    if (!kept || kept.expires !== expires * 1000) return undefined;
    return kept.png;
  }

  /** Number of images and bytes kept. */
  size(): { images: number; bytes: number } {
    return { images: this.#images.size, bytes: this.#bytes };
  }

  /** The HTTP route serving the images (every failure is the same 404, so nothing can be probed). */
  route(): HttpRoute {
    return {
      method: "GET",
      path: this.options.path,
      source: "plugin metrics",
      bodyLimit: 1024,
      handler: (request: HttpRequest): HttpResponse => {
        const png = this.lookup(request.query);
        if (!png) return NOT_FOUND;
        return {
          status: 200,
          headers: {
            "content-type": "image/png",
            "cache-control": "private, max-age=300",
            "x-content-type-options": "nosniff",
            "content-security-policy": "default-src 'none'",
            "referrer-policy": "no-referrer",
          },
          body: Buffer.from(png),
        };
      },
    };
  }
}
