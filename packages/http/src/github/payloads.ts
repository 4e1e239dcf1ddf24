/**
 * The parts of GitHub webhook payloads the bot reads, validated (extra fields are ignored). A payload that does
 * not fit is answered 400 and posts nothing.
 * @module
 */
import { z } from "zod";

const login = z.looseObject({ login: z.string() });

export const repositorySchema = z.looseObject({
  full_name: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/),
  html_url: z.string(),
  default_branch: z.string().optional(),
});

const sha = z.string().regex(/^[0-9a-f]{7,64}$/i);

export const checkSuiteEventSchema = z.looseObject({
  action: z.string(),
  check_suite: z.looseObject({
    id: z.number(),
    head_sha: sha,
    head_branch: z.string().nullish(),
    status: z.string().nullish(),
    conclusion: z.string().nullish(),
    app: z.looseObject({ name: z.string() }).nullish(),
    head_commit: z.looseObject({ message: z.string() }).nullish(),
  }),
  repository: repositorySchema,
});

export const checkRunEventSchema = z.looseObject({
  action: z.string(),
  check_run: z.looseObject({
    head_sha: sha,
    status: z.string().nullish(),
    check_suite: z.looseObject({
      id: z.number(),
      head_branch: z.string().nullish(),
      status: z.string().nullish(),
      conclusion: z.string().nullish(),
      app: z.looseObject({ name: z.string() }).nullish(),
    }),
    app: z.looseObject({ name: z.string() }).nullish(),
  }),
  repository: repositorySchema,
});

export const statusEventSchema = z.looseObject({
  sha,
  state: z.string(),
  context: z.string(),
  description: z.string().nullish(),
  target_url: z.string().nullish(),
  branches: z.array(z.looseObject({ name: z.string() })).default([]),
  commit: z.looseObject({ commit: z.looseObject({ message: z.string() }).nullish() }).nullish(),
  repository: repositorySchema,
});

export const deploymentStatusEventSchema = z.looseObject({
  action: z.string(),
  deployment_status: z.looseObject({
    state: z.string(),
    description: z.string().nullish(),
    environment: z.string().nullish(),
    target_url: z.string().nullish(),
    log_url: z.string().nullish(),
    environment_url: z.string().nullish(),
    creator: login.nullish(),
  }),
  deployment: z.looseObject({
    id: z.number(),
    sha,
    ref: z.string(),
    environment: z.string(),
    description: z.string().nullish(),
    payload: z.unknown().optional(),
    creator: login.nullish(),
  }),
  repository: repositorySchema,
});

export const pullRequestEventSchema = z.looseObject({
  action: z.string(),
  pull_request: z.looseObject({
    number: z.number(),
    title: z.string(),
    html_url: z.string(),
    merged: z.boolean().nullish(),
    merged_by: login.nullish(),
    user: login.nullish(),
    base: z.looseObject({ ref: z.string() }),
    head: z.looseObject({ ref: z.string() }),
    merge_commit_sha: z.string().nullish(),
  }),
  repository: repositorySchema,
});

export const pushEventSchema = z.looseObject({
  ref: z.string(),
  after: z.string(),
  deleted: z.boolean().default(false),
  forced: z.boolean().default(false),
  compare: z.string().nullish(),
  commits: z.array(z.unknown()).default([]),
  head_commit: z.looseObject({ id: z.string(), message: z.string() }).nullish(),
  pusher: z.looseObject({ name: z.string() }).nullish(),
  sender: login.nullish(),
  repository: repositorySchema,
});
