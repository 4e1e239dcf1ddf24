/** The permissions the paging commands need; grant them to roles in the configuration (`paging:*` for all). */
export const PERMISSIONS = {
  /** `oncall`, `am I on call`, `pager incidents`, `pager schedules`, `pager overrides`, linking yourself. */
  read: "paging:read",
  /** `pager ack`, `pager resolve`, `pager note`. */
  ack: "paging:ack",
  /** `pager trigger`. */
  trigger: "paging:trigger",
  /** `pager me <duration>` (an override for yourself). */
  override: "paging:override",
  /** `pager maintenance`. */
  maintenance: "paging:maintenance",
  /**
   * `--everyone` on `pager ack`/`pager resolve` (and `pager ack!`): other people's incidents too, whether all or by
   * id.
   */
  everyone: "paging:everyone",
  /** Approving someone's `pager me as <email>`: vouching that the PagerDuty user is theirs. */
  admin: "paging:admin",
} as const;
