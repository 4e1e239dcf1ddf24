/**
 * Host lists for chat: runs of numbered hosts collapse into ranges (`fs1–fs12`), so a fleet fits on one line.
 * @module
 */

/**
 * `fs1, fs2, fs3, fs5, db1` → `fs1–fs3, fs5, db1`. Hosts keep their first-seen order by prefix; numbers are
 * sorted within a prefix; only consecutive numbers with the same prefix, suffix and width form a range.
 */
export function formatHosts(hosts: readonly string[], max = 30): string {
  const groups = new Map<string, Array<{ n: number; host: string }>>();
  const plain: string[] = [];
  const order: string[] = [];
  for (const host of new Set(hosts)) {
    const match = /^(.*?)(\d+)(\D*)$/.exec(host);
    if (!match) {
      plain.push(host);
      order.push(`=${host}`);
      continue;
    }
    const [, prefix, digits, suffix] = match;
    const width = digits!.startsWith("0") ? digits!.length : 0;
    const key = `${prefix}\u0000${suffix}\u0000${width}`;
    if (!groups.has(key)) {
      groups.set(key, []);
      order.push(key);
    }
    groups.get(key)!.push({ n: Number(digits), host });
  }
  const parts: string[] = [];
  for (const key of order) {
    if (key.startsWith("=")) {
      parts.push(key.slice(1));
      continue;
    }
    const members = groups.get(key)!.sort((a, b) => a.n - b.n);
    let start = 0;
    for (let i = 1; i <= members.length; i++) {
      if (i < members.length && members[i]!.n === members[i - 1]!.n + 1) continue;
      const run = members.slice(start, i);
      if (run.length >= 3) parts.push(`${run[0]!.host}–${run[run.length - 1]!.host}`);
      else parts.push(...run.map((m) => m.host));
      start = i;
    }
  }
  if (parts.length <= max) return parts.join(", ");
  return `${parts.slice(0, max).join(", ")} and ${parts.length - max} more`;
}

/** `1 host`, `3 hosts`. */
export function hostCount(n: number): string {
  return n === 1 ? "1 host" : `${n} hosts`;
}
