/**
 * Deploy locks, taken through the job's `ctx.locks`: `deploy:<app>/<env>` is a person's hold on an environment
 * (`deploy lock`), `deploying:<app>/<env>` is held by a running deploy's job (`bob (job k3x9a)`) and released
 * when the job ends, however it ends.
 * @module
 */
import { DeniedError, formatDuration, type JobLocks, type Lock } from "@switchboard/core";
import { short } from "./names.js";
import type { DeployState } from "./state.js";

/** The lock a person holds with `deploy lock`. */
export const holdLockName = (app: string, env: string) => `deploy:${app}/${env}`;
/** The lock a running deploy holds. */
export const runLockName = (app: string, env: string) => `deploying:${app}/${env}`;
/** Whether a lock is one of this plugin's. */
export const isDeployLock = (name: string) => name.startsWith("deploy:") || name.startsWith("deploying:");

/** `carol: db migration (for another 45m)`. */
export function describeHold(lock: Lock): string {
  return `${lock.owner}: ${lock.reason} (for another ${formatDuration(lock.expiresAt.getTime() - Date.now())})`;
}

/**
 * The lock gate: refuses when someone else holds the environment, or when a deploy is running there (anyone's).
 * Names who and what.
 */
export async function lockGate(
  state: DeployState,
  locks: JobLocks,
  app: string,
  env: string,
  actorId: string,
): Promise<void> {
  const held = await locks.list();
  const hold = held.find((l) => l.name === holdLockName(app, env));
  if (hold && hold.owner !== actorId) {
    throw new DeniedError(
      `${app}/${env} is locked by ${describeHold(hold)}; ask ${hold.owner} to "deploy unlock ${app} ${env}", or wait`,
      `deploy lock ${app}/${env}`,
    );
  }
  const busy = runningDenial(state, app, env);
  if (busy) throw busy;
  const elsewhere = held.find((l) => l.name === runLockName(app, env));
  if (elsewhere) {
    throw new DeniedError(
      `${app}/${env} is being deployed: ${elsewhere.reason}; try again when it has finished`,
      `deploy in progress ${app}/${env}`,
    );
  }
}

/** The refusal for a deploy already running in this process on app/env, if there is one. */
export function runningDenial(state: DeployState, app: string, env: string): DeniedError | undefined {
  const running = state.running.get(`${app}/${env}`);
  if (!running) return undefined;
  return new DeniedError(
    `${running.actor} is deploying ${app}/${running.ref} (${short(running.sha)}) to ${env} (job ${running.job}, ` +
      `for ${formatDuration(Date.now() - running.startedAt.getTime())} so far); try again when it has finished`,
    `deploy in progress ${app}/${env}`,
  );
}
