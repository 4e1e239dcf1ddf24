import { userInfo } from "node:os";

/** The OS login name of the user running the process (falls back to `$USER`, `$LOGNAME`, then `user`). */
export function osLogin(): string {
  try {
    const name = userInfo().username;
    if (name) return name;
  } catch {
    // No passwd entry for this uid (some containers): fall back to the environment.
  }
  return process.env.USER || process.env.LOGNAME || "user";
}
