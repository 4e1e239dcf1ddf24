/**
 * The endpoints of the plugin: configured and added at runtime (persisted in the store), each polled for its
 * listing (every 10 s, ×1.5 per failure up to an hour), its methods registered as commands and replaced when the
 * listing changes, kept when a fetch fails. Calls go out signed, with the person's login for that endpoint.
 * @module
 */
import type { Logger, PluginAuditRecord, PluginSetupContext, Reply, Store } from "@switchboard/core";
import { UserError } from "@switchboard/core";
import type { EndpointConfig, RpcConfig } from "./config.js";
import { type EndpointSpec, type EndpointState, nextDelay } from "./endpoint.js";
import { exchange, RpcTransportError } from "./http.js";
import { type ListedMethod, type Listing, ListingError, readListing } from "./listing.js";
import { methodCommand } from "./method-command.js";
import { PREFIX_PATTERN } from "./names.js";
import { endpointPermission } from "./permissions.js";
import { clean, jsonRpcError, renderAnswer } from "./render.js";
import type { ClientKey } from "./signer.js";

const STORE_NAMESPACE = "endpoints";
/** How long start-up waits for the first listings. */
const STARTUP_WAIT_MS = 5000;

/** What the manager needs from the plugin context. */
export interface EndpointsDeps {
  config: RpcConfig;
  keys: ClientKey[];
  commands: PluginSetupContext<unknown>["commands"];
  store: Store;
  logger: Logger;
  audit(record: PluginAuditRecord): Promise<void>;
}

/** A runtime endpoint as stored. */
interface StoredEndpoint {
  url: string;
  prefix: string;
  addedBy: string;
  addedAt: string;
}

/** Every endpoint of the plugin. */
export class Endpoints {
  readonly #states = new Map<string, EndpointState>();
  #stopped = false;

  constructor(private readonly deps: EndpointsDeps) {}

  /** Adds the configured endpoints and the stored runtime ones, and starts fetching their listings. */
  async start(): Promise<void> {
    for (const endpoint of this.deps.config.endpoints) this.#track(this.#configSpec(endpoint));
    for (const [, stored] of await this.deps.store.list<StoredEndpoint>(STORE_NAMESPACE)) {
      if (this.#states.has(stored.prefix)) {
        this.deps.logger.warn({ prefix: stored.prefix }, "rpc: a stored endpoint's prefix is now configured; ignored");
        continue;
      }
      this.#track(this.#runtimeSpec(stored.url, stored.prefix, stored.addedBy, stored.addedAt));
    }
    // The first fetches run now, and start-up waits a little for them, so that a bot started next to its services
    // knows their commands from its first message; an endpoint that is slower or down is fetched by the poller.
    const first = Promise.all([...this.#states.values()].map((state) => this.#fetch(state)));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([first, new Promise((resolve) => (timer = setTimeout(resolve, STARTUP_WAIT_MS)))]);
    clearTimeout(timer);
  }

  /** Stops polling. */
  stop(): void {
    this.#stopped = true;
    for (const state of this.#states.values()) clearTimeout(state.timer);
  }

  /** Every endpoint, by prefix. */
  all(): EndpointState[] {
    return [...this.#states.values()].sort((a, b) => a.spec.prefix.localeCompare(b.spec.prefix));
  }

  /** The endpoint under `prefix`, or a UserError naming the known prefixes. */
  get(prefix: string): EndpointState {
    const state = this.#states.get(prefix.toLowerCase());
    if (!state) {
      const known = [...this.#states.keys()].sort().join(", ") || "none";
      throw new UserError(`no endpoint has the prefix "${prefix}"`, `known prefixes: ${known}`);
    }
    return state;
  }

  /** Adds an endpoint at runtime (persisted), fetches its listing once, and returns its state. */
  async add(url: string, prefix: string, actor: string): Promise<EndpointState> {
    const p = prefix.toLowerCase();
    this.#checkPrefix(p);
    const spec = this.#runtimeSpec(url, p, actor, new Date().toISOString());
    // Taken before the first await, so a second `rpc add` of the same prefix at the same time is refused.
    const state = this.#track(spec);
    try {
      await this.deps.store.set<StoredEndpoint>(STORE_NAMESPACE, p, {
        url: spec.url,
        prefix: p,
        addedBy: actor,
        addedAt: spec.addedAt!,
      });
    } catch (error) {
      state.removed = true;
      this.#states.delete(p);
      throw error;
    }
    await this.#fetch(state);
    return state;
  }

  /** Removes a runtime endpoint and its commands. */
  async remove(prefix: string): Promise<EndpointState> {
    const state = this.get(prefix);
    if (state.spec.source === "config")
      throw new UserError(`${state.spec.prefix} is configured in the file`, "remove it from plugins.rpc.endpoints");
    state.removed = true;
    clearTimeout(state.timer);
    this.#unregister(state);
    this.#states.delete(state.spec.prefix);
    await this.deps.store.delete(STORE_NAMESPACE, state.spec.prefix);
    return state;
  }

  /** Fetches one endpoint's listing (or every one's) now, resetting the back-off. */
  async refresh(prefix?: string): Promise<EndpointState[]> {
    const states = prefix ? [this.get(prefix)] : this.all();
    await Promise.all(
      states.map((state) => {
        state.failures = 0;
        return this.#fetch(state);
      }),
    );
    return states;
  }

  #checkPrefix(prefix: string): void {
    if (!PREFIX_PATTERN.test(prefix))
      throw new UserError(`prefix "${prefix}" is not one lower-case word`, "a-z, 0-9, - and _, at most 32 characters");
    if (this.#states.has(prefix))
      throw new UserError(`prefix "${prefix}" is already used by ${this.#states.get(prefix)!.spec.url}`);
    const holder = this.deps.commands.taken(prefix);
    if (holder) throw new UserError(`prefix "${prefix}" would clash with command ${holder}`, "choose another prefix");
  }

  #configSpec(endpoint: EndpointConfig): EndpointSpec {
    return {
      url: endpoint.url.replace(/\/+$/, ""),
      prefix: endpoint.prefix,
      permission: endpoint.permission ?? endpointPermission(endpoint.prefix),
      timeoutMs: endpoint.timeout,
      keyId: endpoint.key ?? this.deps.keys[0]!.id,
      logins: { ...this.deps.config.logins, ...endpoint.logins },
      source: "config",
    };
  }

  #runtimeSpec(url: string, prefix: string, addedBy: string, addedAt: string): EndpointSpec {
    return {
      url: url.replace(/\/+$/, ""),
      prefix,
      permission: endpointPermission(prefix),
      timeoutMs: this.deps.config.defaultTimeout,
      keyId: this.deps.keys[0]!.id,
      logins: { ...this.deps.config.logins },
      source: "runtime",
      addedBy,
      addedAt,
    };
  }

  #track(spec: EndpointSpec): EndpointState {
    if (spec.source === "config") {
      const holder = this.deps.commands.taken(spec.prefix);
      if (holder) throw new Error(`rpc: endpoint prefix "${spec.prefix}" would clash with command ${holder}`);
    }
    const state: EndpointState = { spec, commands: [], failures: 0 };
    this.#states.set(spec.prefix, state);
    return state;
  }

  #schedule(state: EndpointState, delayMs: number): void {
    if (this.#stopped || state.removed) return;
    clearTimeout(state.timer);
    state.nextFetchAt = new Date(Date.now() + delayMs);
    state.timer = setTimeout(() => void this.#fetch(state), delayMs);
    state.timer.unref();
  }

  /** The keys to try, the endpoint's own first. */
  #keysFor(spec: EndpointSpec): ClientKey[] {
    const first = this.deps.keys.find((k) => k.id === spec.keyId) ?? this.deps.keys[0]!;
    return [first, ...this.deps.keys.filter((k) => k !== first)];
  }

  async #getListing(state: EndpointState): Promise<Listing> {
    const keys = this.#keysFor(state.spec);
    for (let i = 0; ; i++) {
      try {
        const raw = await exchange({
          method: "GET",
          url: state.spec.url,
          key: keys[i]!,
          timeoutMs: state.spec.timeoutMs,
          maxBytes: this.deps.config.maxResponseBytes,
        });
        if (i > 0) {
          this.deps.logger.info({ prefix: state.spec.prefix, key: keys[i]!.id }, "rpc: endpoint accepts the other key");
          state.spec.keyId = keys[i]!.id;
        }
        return readListing(raw);
      } catch (error) {
        const refused = error instanceof RpcTransportError && error.status === 403;
        if (!refused || i + 1 >= keys.length) throw error;
      }
    }
  }

  async #fetch(state: EndpointState): Promise<void> {
    clearTimeout(state.timer);
    const { spec } = state;
    try {
      const listing = await this.#getListing(state);
      if (state.removed) return;
      const changed = this.#register(state, listing);
      state.failures = 0;
      state.lastSuccess = new Date();
      state.lastError = undefined;
      state.lastRejected = undefined;
      if (changed)
        await this.deps.audit({
          event: "plugin",
          outcome: "succeeded",
          detail: { event: "listing", prefix: spec.prefix, url: spec.url, commands: state.commands },
        });
    } catch (error) {
      if (state.removed) return;
      state.failures++;
      const message = error instanceof Error ? error.message : String(error);
      if (state.lastError !== message)
        this.deps.logger.warn({ prefix: spec.prefix, url: spec.url, error: message }, "rpc: listing not loaded");
      state.lastError = message;
      state.lastErrorAt = new Date();
      // A refused listing is audited when its problems change, not at every poll.
      if (error instanceof ListingError && state.lastRejected !== message) {
        state.lastRejected = message;
        await this.deps.audit({
          event: "plugin",
          outcome: "rejected",
          detail: { event: "listing", prefix: spec.prefix, url: spec.url, problems: error.problems },
        });
      }
    } finally {
      const { pollInterval, maxPollInterval } = this.deps.config;
      this.#schedule(state, nextDelay(pollInterval, state.failures, maxPollInterval));
    }
  }

  /**
   * Replaces the endpoint's commands with the listing's. All or nothing: when one cannot be registered (it would
   * clash with another command) the previous commands are put back and a ListingError thrown. Returns whether the
   * set of commands changed.
   */
  #register(state: EndpointState, listing: Listing): boolean {
    const before = fingerprint(state.listing);
    if (state.listing && before === fingerprint(listing)) {
      state.listing = listing;
      return false;
    }
    const previous = state.listing;
    this.#unregister(state);
    try {
      this.#addCommands(state, listing);
      state.listing = listing;
      return true;
    } catch (error) {
      this.#unregister(state);
      if (previous) this.#addCommands(state, previous);
      throw new ListingError([(error as Error).message]);
    }
  }

  #addCommands(state: EndpointState, listing: Listing): void {
    // An alias (the pattern's first word) is used only when no other method has that word or alias.
    const counts = new Map<string, number>();
    for (const m of listing.methods) for (const w of [m.word, m.alias]) if (w) counts.set(w, (counts.get(w) ?? 0) + 1);
    for (const method of listing.methods) {
      const alias = method.alias !== undefined && counts.get(method.alias) === 1;
      const command = methodCommand(state.spec, method, (spec, m, call) => this.#call(spec, m, call, listing), {
        alias,
      });
      this.deps.commands.add(command);
      state.commands.push(command.name);
    }
  }

  #unregister(state: EndpointState): void {
    for (const name of state.commands) this.deps.commands.remove(name);
    state.commands = [];
  }

  /** Sends one method call and renders the answer. */
  async #call(
    spec: EndpointSpec,
    method: ListedMethod,
    call: { params: Record<string, string>; actor: string; room: string; messageId: string; signal: AbortSignal },
    listing: Listing,
  ): Promise<Reply> {
    const user = Object.hasOwn(spec.logins, call.actor) ? spec.logins[call.actor]! : call.actor;
    const body = JSON.stringify({
      user,
      room_id: call.room,
      method: method.name,
      params: call.params,
      message_id: call.messageId,
    });
    const key = this.deps.keys.find((k) => k.id === spec.keyId) ?? this.deps.keys[0]!;
    let answer: unknown;
    try {
      answer = await exchange({
        method: "POST",
        url: `${spec.url}/${method.path}`,
        body,
        key,
        timeoutMs: spec.timeoutMs,
        maxBytes: this.deps.config.maxResponseBytes,
        signal: call.signal,
      });
    } catch (error) {
      if (call.signal.aborted) throw call.signal.reason;
      if (!(error instanceof RpcTransportError)) throw error;
      const rpc = jsonRpcError(error.body);
      if (rpc) throw new UserError(`${spec.prefix} ${method.word}: ${rpc.message}`, hint(listing, rpc.code));
      throw new UserError(
        `${spec.prefix} ${method.word}: ${error.message}`,
        listing.errorResponse && clean(listing.errorResponse, 500),
      );
    }
    const rpc = jsonRpcError(answer);
    if (rpc) throw new UserError(`${spec.prefix} ${method.word}: ${rpc.message}`, hint(listing, rpc.code));
    if (typeof answer !== "object" || answer === null || Array.isArray(answer))
      throw new UserError(`${spec.prefix} ${method.word}: the endpoint answered something other than an object`);
    return renderAnswer(answer as Record<string, unknown>, spec.prefix, listing.errorResponse);
  }
}

const hint = (listing: Listing, code: number | undefined) =>
  [
    code === undefined ? undefined : `JSON-RPC error ${code}`,
    listing.errorResponse && clean(listing.errorResponse, 500),
  ]
    .filter(Boolean)
    .join(" — ") || undefined;

/** What makes two listings register the same commands. */
function fingerprint(listing: Listing | undefined): string {
  if (!listing) return "";
  return JSON.stringify(listing.methods.map((m) => [m.name, m.word, m.alias, m.help, m.path, m.pattern.source])).concat(
    listing.errorResponse ?? "",
  );
}
