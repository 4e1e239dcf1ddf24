import type { PolicyConfigInput } from "@switchboard/core";
import { FakePagerDuty, eventually as pollUntil } from "@switchboard/test-servers";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** Staff may read and act on their own incidents; leads may do everything; guests nothing. */
export function policy(principals: Record<string, Record<string, string>>, leads: string[] = []): PolicyConfigInput {
  return {
    roles: {
      staff: {
        permissions: ["paging:read", "paging:ack", "paging:trigger", "paging:override", "paging:maintenance"],
      },
      lead: { permissions: ["paging:*"] },
      guest: { permissions: [] },
    },
    principals: Object.fromEntries(
      Object.entries(principals).map(([id, identities]) => [
        id,
        { roles: leads.includes(id) ? ["lead"] : ["staff"], identities },
      ]),
    ),
  };
}

/**
 * Polls `check` until it returns a value (not undefined/false) or `timeoutMs` passes: the shared `eventually` of
 * @switchboard/test-servers, with these tests' argument order and 10 s default.
 */
export function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  return pollUntil(what, check as () => T | undefined | false | Promise<T | undefined | false>, timeoutMs);
}

/** HH:MM of `time` in `zone`, computed independently of the plugin's formatting. */
export function clock(time: Date, zone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(time);
}

/**
 * A PagerDuty account: alice, bob and carol (configured e-mails), dave (a PagerDuty user nobody configured), an
 * "Ops Primary" schedule in Europe/Berlin whose first layer (alice) ends in 90 minutes and whose second layer (bob)
 * starts then, and a "web" service paging that schedule.
 */
export async function pagerDutyAccount() {
  const fake = new FakePagerDuty();
  await fake.start();
  fake.tokens.set("rw-token", { readOnly: false });
  fake.tokens.set("ro-token", { readOnly: true });
  fake.users.push(
    { id: "PALICE1", name: "Alice Adams", email: "alice@example.com" },
    { id: "PBOB001", name: "Bob Brown", email: "bob@example.com" },
    { id: "PCAROL1", name: "Carol Clark", email: "carol@example.com" },
    { id: "PDAVE01", name: "Dave Dunn", email: "dave@example.com" },
  );
  const now = Date.now();
  const boundary = new Date(Math.ceil((now + 90 * 60_000) / 60_000) * 60_000);
  fake.schedules.push({
    id: "PSCHED1",
    name: "Ops Primary",
    time_zone: "Europe/Berlin",
    layers: [
      {
        start: new Date(now - 10 * DAY).toISOString(),
        end: boundary.toISOString(),
        rotation_virtual_start: new Date(now - 10 * DAY).toISOString(),
        rotation_turn_length_seconds: 7 * 86_400,
        users: ["PALICE1"],
      },
      {
        start: boundary.toISOString(),
        rotation_virtual_start: boundary.toISOString(),
        rotation_turn_length_seconds: 86_400,
        users: ["PBOB001", "PCAROL1"],
      },
    ],
    overrides: [],
  });
  fake.services.push({ id: "PWEB001", name: "Web", routingKey: "R".repeat(32), schedule: "PSCHED1" });
  return { fake, boundary };
}

/** The plugin configuration pointing at the fake account. */
export function pagerDutyConfig(url: string, extra: Record<string, unknown> = {}, token = "rw-token") {
  return {
    provider: "pagerduty",
    people: {
      alice: { email: "alice@example.com", timeZone: "America/New_York" },
      bob: { email: "bob@example.com" },
      carol: { email: "carol@example.com" },
    },
    rooms: ["test:#ops"],
    pagerduty: {
      token,
      apiUrl: url,
      eventsUrl: url,
      schedules: { ops: "PSCHED1" },
      services: { web: { id: "PWEB001", routingKey: "R".repeat(32) } },
      maxRetryWait: "5s",
    },
    ...extra,
  };
}

export const PEOPLE = {
  alice: { test: "alice" },
  bob: { test: "bob" },
  carol: { test: "carol" },
  dave: { test: "dave" },
  eve: { test: "eve" },
};
