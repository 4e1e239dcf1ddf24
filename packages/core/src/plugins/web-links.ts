/**
 * Links to the web view, made for the person who asked. Core only asks for a link; the HTTP endpoint provides the
 * maker (it holds the signing key and the public URL), so no key ever reaches core, chat or the audit log.
 * @module
 */
import { UserError } from "../runtime/errors.js";

/** The audit filters a link is limited to (each one only narrows). */
export interface AuditLinkFilters {
  /** An actor id (principal or `network:id`). */
  actor?: string;
  command?: string;
  outcome?: string;
  jobId?: string;
}

/** What a link shows: one job, the audit log (filtered), or the approvals waiting. */
export type WebLinkRequest =
  | { kind: "job"; jobId: string }
  | { kind: "audit"; filters: AuditLinkFilters }
  | { kind: "approvals" };

/** Makes a signed link to `request` for `principal` (the actor id of the person who asked). */
export type WebLinkMaker = (request: WebLinkRequest, principal: string) => string;

/** The link maker, once the HTTP endpoint provided one; until then asking for a link is a clear user error. */
export class WebLinks {
  #maker: WebLinkMaker | undefined;

  /** Called by the HTTP endpoint when the web view is configured (`http.web`). Returns a function that withdraws it. */
  provide(maker: WebLinkMaker): () => void {
    this.#maker = maker;
    return () => {
      if (this.#maker === maker) this.#maker = undefined;
    };
  }

  /** A link for `principal`, or undefined when the web view is not configured. */
  tryMake(request: WebLinkRequest, principal: string): string | undefined {
    return this.#maker?.(request, principal);
  }

  /** A link for `principal`, or a {@link UserError} when the web view is not configured. */
  make(request: WebLinkRequest, principal: string): string {
    if (!this.#maker) throw new UserError("web links are not configured on this bot (http.web in the configuration)");
    return this.#maker(request, principal);
  }
}
