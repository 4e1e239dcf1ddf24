/**
 * Options of the Matrix adapter and their defaults.
 * @module
 */

/** Who may invite the bot into a room. Entries are exact ids, or globs with `*` (`@*:example.org`, `!*:example.org`). */
export interface InvitePolicy {
  /** Inviters whose invites are accepted. */
  users?: string[];
  /**
   * Room ids (`!abc:example.org`, globs allowed) whose invites are accepted, whoever invites. Only the id is compared:
   * an alias is chosen by whoever controls it (and a room may announce any alias), so an alias here never matches.
   */
  rooms?: string[];
}

/** Options for {@link MatrixAdapter}. */
export interface MatrixAdapterOptions {
  /** Network name the bot sees (principals' `identities` use it). Default `"matrix"`. */
  network?: string;
  /** Homeserver base URL, e.g. `https://matrix.example.org`. */
  homeserver: string;
  /** The bot's user id, e.g. `@switchboard:example.org`. */
  userId: string;
  /** An access token. Use this or {@link password}. */
  accessToken?: string;
  /** The device id that belongs to {@link accessToken} (asked from the homeserver when omitted). */
  deviceId?: string;
  /** A password, used once to log in; the device id and token are then kept in {@link dataDir}. */
  password?: string;
  /** Display name of the device created by a password login. Default `"Switchboard bot"`. */
  deviceName?: string;
  /**
   * Folder for the adapter's state: session (device id and token), sync state, encryption keys, and the ledger of
   * handled events. Keep it private (mode 0700) and back it up with the bot. Default `./.switchboard/matrix-<network>`.
   */
  dataDir?: string;
  /** End-to-end encryption (Rust crypto; keys persisted in {@link dataDir}). Default true. */
  encryption?: boolean;
  /**
   * A passphrase that encrypts the stored crypto keys (the snapshot file and the store inside it). Default none: the
   * file is protected by its mode (0600) only. Changing it later makes the old keys unreadable.
   */
  storePassphrase?: string;
  /**
   * The account's recovery key (from `switchboard matrix setup-recovery`): the device is cross-signed with the
   * account's identity from secret storage at every start; a wrong key fails the start. Never logged.
   */
  recoveryKey?: string;
  /** Commands older than this when the bot sees them are not run; the bot says so once. Default 2 minutes. */
  staleAfterMs?: number;
  /** Whose invites the bot accepts; all others are declined. Default: none accepted. */
  invites?: InvitePolicy;
  /** Reactions that approve the job whose approval request they react to. Default `["👍", "✅"]`; `[]` turns it off. */
  approvalReactions?: string[];
  /** At most one "could not decrypt" notice per room per this interval. Default 5 minutes. */
  decryptionNoticeIntervalMs?: number;
  /** How long a message may stay undecryptable (its key may still arrive) before the bot reports it. Default 10 s. */
  decryptionGraceMs?: number;
  /** Events a progress message keeps when it is edited in place (older lines are summarised). Default 40 lines. */
  progressLines?: number;
}

/** {@link MatrixAdapterOptions} with every default filled in. */
export type ResolvedOptions = Required<
  Omit<MatrixAdapterOptions, "accessToken" | "deviceId" | "password" | "storePassphrase" | "recoveryKey" | "invites">
> &
  Pick<MatrixAdapterOptions, "accessToken" | "deviceId" | "password" | "storePassphrase" | "recoveryKey"> & {
    invites: Required<InvitePolicy>;
  };

/** Fills in the defaults and checks that a way to log in was given. */
export function resolveOptions(options: MatrixAdapterOptions): ResolvedOptions {
  if (!options.accessToken && !options.password) {
    throw new Error("the Matrix adapter needs accessToken or password");
  }
  const network = options.network ?? "matrix";
  return {
    ...options,
    network,
    homeserver: options.homeserver.replace(/\/+$/, ""),
    deviceName: options.deviceName ?? "Switchboard bot",
    dataDir: options.dataDir ?? `./.switchboard/matrix-${network}`,
    encryption: options.encryption ?? true,
    staleAfterMs: options.staleAfterMs ?? 120_000,
    invites: { users: options.invites?.users ?? [], rooms: options.invites?.rooms ?? [] },
    approvalReactions: options.approvalReactions ?? ["👍", "✅"],
    decryptionNoticeIntervalMs: options.decryptionNoticeIntervalMs ?? 5 * 60_000,
    decryptionGraceMs: options.decryptionGraceMs ?? 10_000,
    progressLines: options.progressLines ?? 40,
  };
}

/** Whether `value` matches one of `patterns` (exact, or a glob where `*` matches anything). */
export function matchesAny(value: string, patterns: string[]): boolean {
  return patterns.some((pattern) => {
    if (!pattern.includes("*")) return pattern === value;
    const regex = new RegExp(`^${pattern.split("*").map(escapeRegex).join(".*")}$`);
    return regex.test(value);
  });
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
