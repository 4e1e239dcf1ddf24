/**
 * Resolves a ref to the commit that will be checked and shipped: once per deploy, with git for apps that set
 * `git`, else with the GitHub API.
 * @module
 */
import { UserError } from "@switchboard/core";
import type { AppConfig } from "./config.js";
import { resolveWithGit } from "./git.js";
import { branchHead, commitOf } from "./github.js";
import type { DeployState } from "./state.js";

/** The full commit id of a validated ref of an app; with `branchOnly`, the ref must be a branch. */
export async function resolveCommit(
  state: DeployState,
  app: AppConfig,
  ref: string,
  signal: AbortSignal,
  { branchOnly = false }: { branchOnly?: boolean } = {},
): Promise<string> {
  if (app.git) return resolveWithGit(app.git, ref, { command: state.config.gitCommand, signal, branchOnly });
  if (state.github && app.repository)
    return branchOnly
      ? branchHead(state.github, app.repository, ref, signal)
      : commitOf(state.github, app.repository, ref, signal);
  throw new UserError("this app has no git repository or GitHub repository to resolve refs with");
}
