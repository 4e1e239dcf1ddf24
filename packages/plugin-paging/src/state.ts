/**
 * What the commands of one plugin instance share, created by setup: the configuration, the provider and the links.
 * @module
 */
import type { PagingConfig } from "./config.js";
import type { Links } from "./links.js";
import type { PagingProvider } from "./model.js";
import { ownValue } from "./names.js";
import type { PagerDutyProvider } from "./pagerduty/provider.js";

/** Shared by the commands. */
export interface PagingState {
  config: PagingConfig;
  provider: PagingProvider;
  links: Links;
  /** Set when the provider is PagerDuty (for `pager me as`). */
  pagerduty?: PagerDutyProvider;
}

/** The time zone to show `principal`: theirs from the configuration, else `fallback` (the schedule's). */
export function zoneFor(config: PagingConfig, principal: string, fallback: string): string {
  return ownValue(config.people, principal)?.timeZone ?? fallback;
}
