/**
 * `POST /hooks/<name>`: small internal tools post JSON signed with HMAC-SHA256; a template from the configuration
 * (no code) turns it into a message for the hook's rooms. Replays are refused by a signed timestamp within a window,
 * or by a delivery id inside the signed body, and always by the digest of the signed bytes.
 * @module
 */
import {
  type Block,
  DeliveryLedger,
  digestKey,
  type HttpRequest,
  type HttpResponse,
  type HttpRoute,
  out,
} from "@switchboard/core";
import type { HookConfig } from "../config.js";
import { announce, type SourceContext } from "../deliveries.js";
import { parseJson, reject } from "../responses.js";
import { verifyHmacSha256 } from "../signature.js";
import { httpUrl } from "../text.js";
import { lookup, parseTemplate, renderTemplate } from "./template.js";

/** The metrics and audit source of a generic hook. */
export const hookSource = (name: string) => `hook:${name}`;

/** The route of one configured hook. */
export function genericHookRoute(name: string, config: HookConfig, context: SourceContext): HttpRoute {
  const source = hookSource(name);
  const template = parseTemplate(config.template);
  const link = config.link !== undefined ? parseTemplate(config.link) : undefined;
  const idPath = config.deliveryField?.split(".");
  const ledger = new DeliveryLedger(context.store, `hook-deliveries/${name}`, config.dedupeFor);
  const count = (result: Parameters<SourceContext["count"]>[1]) => context.count(source, result);
  const log = context.logger.child({ source });

  /** The signed bytes (`<timestamp>.<body>` or the body), or why the request is not authentic. */
  function signedBytes(request: HttpRequest): Buffer | string {
    if (!config.timestampHeader) return request.rawBody;
    const stamp = request.headers[config.timestampHeader];
    if (!stamp || !/^\d{1,12}$/.test(stamp)) return "missing or malformed timestamp";
    return Buffer.concat([Buffer.from(`${stamp}.`), request.rawBody]);
  }

  async function handle(request: HttpRequest): Promise<HttpResponse> {
    const signed = signedBytes(request);
    if (
      typeof signed === "string" ||
      !verifyHmacSha256(config.secret, signed, request.headers[config.signatureHeader])
    ) {
      count("unauthorized");
      log.warn({ ip: request.ip }, "refused a hook delivery: bad signature");
      return reject(401, typeof signed === "string" ? signed : "bad signature");
    }
    if (config.timestampHeader) {
      const sentAt = Number(request.headers[config.timestampHeader]) * 1000;
      if (Math.abs(Date.now() - sentAt) > config.window) {
        count("unauthorized");
        log.warn(
          { ip: request.ip, sentAt: new Date(sentAt).toISOString() },
          "refused a hook delivery: stale timestamp",
        );
        return reject(401, "timestamp outside the window");
      }
    }
    const body = parseJson(request.rawBody);
    if (body === undefined || body === null || typeof body !== "object") {
      count("invalid");
      return reject(400, "the body is not a JSON object");
    }
    const id = idPath ? lookup(body, idPath) : undefined;
    const delivery = typeof id === "string" || typeof id === "number" ? String(id) : undefined;
    if (idPath && (!delivery || !/^[A-Za-z0-9_.:-]{1,100}$/.test(delivery))) {
      count("invalid");
      return reject(400, `missing or malformed delivery id (${config.deliveryField})`);
    }
    // Both: the id (a re-signed retry of one delivery) and the signed bytes (the same request captured and sent again).
    const keys = [...(delivery ? [`id:${delivery}`] : []), digestKey(signed)];
    if (!(await ledger.claim(...keys))) {
      count("duplicate");
      log.warn({ delivery, ip: request.ip }, "refused a replayed hook delivery");
      return reject(409, "delivery already handled");
    }
    const text = renderTemplate(template, body);
    const blocks: Block[] = [config.status ? out.status(config.status, text) : out.text(text)];
    const url = link ? httpUrl(renderTemplate(link, body)) : undefined;
    if (url) blocks.push(out.link(url));
    try {
      const posted = await announce(context, {
        source,
        ...(delivery ? { delivery } : {}),
        event: "hook",
        rooms: config.rooms,
        reply: blocks,
      });
      await ledger.commit(...keys);
      count("posted");
      log.info({ delivery, rooms: posted.posted.length }, "posted a hook delivery");
      return { status: 200, body: { result: "posted", rooms: posted.posted.length } };
    } catch (error) {
      ledger.release(...keys);
      count("failed");
      log.error({ err: error }, "could not post a hook delivery");
      return reject(500, "could not post");
    }
  }

  return { method: "POST", path: `/hooks/${name}`, source, handler: handle };
}
