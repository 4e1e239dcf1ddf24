/**
 * Commands on other hosts over OpenSSH, for plugins (puppet runs, log reads): the one place that builds an ssh argv.
 * Key authentication only (BatchMode, IdentitiesOnly), host keys checked against the configured known_hosts file
 * alone (an unknown or changed key is refused, never learned), run through {@link runProcess} with an argv array.
 *
 * ssh joins the remote argv into one line for the remote shell, so every remote word must be free of shell
 * characters: {@link sshArgv} refuses any other word, and refuses a user or address that could be read as an option.
 * @module
 */
import { z } from "zod";
import { durationSchema } from "./duration.js";
import { baseEnvironment, type ProcessResult, type ProcessSpec, runProcess } from "./process-runner.js";

/** A word that may reach a remote shell through ssh: no spaces, quotes or shell characters. */
export const SAFE_REMOTE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;
/** A remote user name. */
export const SSH_USER = /^[a-z_][a-z0-9_-]{0,31}$/;
/** Where ssh connects: a host name (never starting with `-`) or an IP address (IPv6 optionally in brackets). */
export const SSH_ADDRESS = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[?[0-9A-Fa-f:.]+\]?)$/;

/** A local path handed to ssh in `-o Key=Value` options: no whitespace (ssh splits on it) and no quotes. */
const localPath = z.string().regex(/^[^\s"'\\]+$/, "a path without spaces or quotes");

/**
 * How to reach hosts over ssh (the keys of a plugin's ssh section; a plugin extends it with its own keys).
 * Durations are parsed to milliseconds.
 */
export const sshSettingsSchema = z.object({
  /** The ssh client. */
  ssh: z.string().min(1).default("ssh"),
  /** The remote user (a host's `user` overrides it). */
  user: z.string().regex(SSH_USER, "a user name").default("root"),
  /** The remote port (a host's `port` overrides it). */
  port: z.number().int().min(1).max(65535).default(22),
  /** The private key (`ssh -i`); only this key is offered (IdentitiesOnly). */
  identityFile: localPath,
  /** The only known_hosts file trusted: a host whose key is missing or different is refused, never learned. */
  knownHostsFile: localPath,
  /** An ssh_config file for `ssh -F` (jump hosts and the like); `none` reads no configuration. */
  sshConfig: localPath.default("none"),
  /** How long connecting may take. */
  connectTimeout: durationSchema.prefault("10s"),
});

/** Validated ssh settings. */
export type SshSettings = z.output<typeof sshSettingsSchema>;

/** One host as ssh reaches it. */
export interface SshTarget {
  user: string;
  /** Host name or IP address (brackets around an IPv6 address are removed). */
  address: string;
  port: number;
}

/**
 * The ssh argv that runs `remote` on `target`. Throws when a remote word holds anything a remote shell would read,
 * or when the user, address or port is not one (so nothing from outside the configuration becomes an option).
 */
export function sshArgv(settings: SshSettings, target: SshTarget, remote: readonly string[]): string[] {
  for (const word of remote)
    if (!SAFE_REMOTE_WORD.test(word)) throw new Error(`refusing to send "${word}" to a remote shell`);
  if (!SSH_USER.test(target.user)) throw new Error(`refusing ssh user "${target.user}"`);
  if (!SSH_ADDRESS.test(target.address)) throw new Error(`refusing ssh address "${target.address}"`);
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535)
    throw new Error(`refusing ssh port ${target.port}`);
  const address = target.address.replace(/^\[|\]$/g, "");
  return [
    settings.ssh,
    "-F",
    settings.sshConfig,
    "-T",
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    `UserKnownHostsFile=${settings.knownHostsFile}`,
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    "-o",
    "UpdateHostKeys=no",
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "PasswordAuthentication=no",
    "-o",
    "KbdInteractiveAuthentication=no",
    "-o",
    `ConnectTimeout=${Math.max(1, Math.round(settings.connectTimeout / 1000))}`,
    "-i",
    settings.identityFile,
    "-p",
    String(target.port),
    `${target.user}@${address}`,
    "--",
    ...remote,
  ];
}

/**
 * Runs `remote` on `target` over ssh with {@link runProcess} (environment: {@link baseEnvironment}). Exit code 255
 * is ssh's own failure; {@link sshProblem} turns its stderr lines into words.
 */
export function runOverSsh(
  settings: SshSettings,
  target: SshTarget,
  remote: readonly string[],
  spec: Omit<ProcessSpec, "argv" | "env" | "cwd">,
): Promise<ProcessResult> {
  return runProcess({ ...spec, argv: sshArgv(settings, target, remote), env: baseEnvironment() });
}

/** Why ssh could not run the command, from its stderr lines (a host key refusal named as such). */
export function sshProblem(lines: readonly string[]): string {
  const text = lines.join("\n");
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED/.test(text))
    return "ssh refused: the host key does not match the known_hosts file (Host key verification failed)";
  if (/Host key verification failed|No .* host key is known/.test(text))
    return "ssh refused: the host key is not in the known_hosts file (Host key verification failed)";
  const last = lines.filter((l) => !/^@+$|^@ /.test(l) && l.trim()).pop();
  return `ssh failed: ${last ?? "exit code 255"}`;
}
