/**
 * `POST /hooks/<name>`: small internal tools post JSON signed with HMAC-SHA256; a template from the configuration
 * (no code) turns it into a message for the hook's rooms.
 * @module
 */
import { type Block, type HttpRequest, type HttpResponse, type HttpRoute, out } from "@switchboard/core";
import type { HookConfig } from "../config.js";
import { announce, DeliveryLedger, type SourceContext } from "../deliveries.js";
import { parseJson, reject } from "../responses.js";
import { verifyHmacSha256 } from "../signature.js";
import { httpUrl } from "../text.js";
import { parseTemplate, renderTemplate } from "./template.js";

/** The metrics and audit source of a generic hook. */
export const hookSource = (name: string) => `hook:${name}`;

/** The route of one configured hook. */
export function genericHookRoute(name: string, config: HookConfig, context: SourceContext): HttpRoute {
  const source = hookSource(name);
  const template = parseTemplate(config.template);
  const link = config.link !== undefined ? parseTemplate(config.link) : undefined;
  const ledger = new DeliveryLedger(context.store, `hook-deliveries/${name}`, 24 * 3_600_000);
  const count = (result: Parameters<SourceContext["count"]>[1]) => context.count(source, result);
  const log = context.logger.child({ source });

  async function handle(request: HttpRequest): Promise<HttpResponse> {
    if (!verifyHmacSha256(config.secret, request.rawBody, request.headers[config.signatureHeader])) {
      count("unauthorized");
      log.warn({ ip: request.ip }, "refused a hook delivery: bad signature");
      return reject(401, "bad signature");
    }
    const delivery = config.deliveryHeader ? request.headers[config.deliveryHeader] : undefined;
    if (config.deliveryHeader && (!delivery || !/^[A-Za-z0-9_.:-]{1,100}$/.test(delivery))) {
      count("invalid");
      return reject(400, "missing or malformed delivery id");
    }
    const body = parseJson(request.rawBody);
    if (body === undefined || body === null || typeof body !== "object") {
      count("invalid");
      return reject(400, "the body is not a JSON object");
    }
    if (delivery && !(await ledger.claim(delivery))) {
      count("duplicate");
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
      if (delivery) await ledger.commit(delivery);
      count("posted");
      log.info({ delivery, rooms: posted.posted.length }, "posted a hook delivery");
      return { status: 200, body: { result: "posted", rooms: posted.posted.length } };
    } catch (error) {
      if (delivery) ledger.release(delivery);
      count("failed");
      log.error({ err: error }, "could not post a hook delivery");
      return reject(500, "could not post");
    }
  }

  return { method: "POST", path: `/hooks/${name}`, source, handler: handle };
}
