/**
 * Whether a host is this machine: TLS is on by default for every other host.
 * @module
 */
import { isIPv4, isIPv6 } from "node:net";

/** Whether `host` is this machine: `localhost`, an address in 127.0.0.0/8, or `::1`. */
export function isLoopbackHost(host: string): boolean {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/\.$/, "")
    .replace(/^\[(.*)\]$/, "$1");
  if (name === "localhost") return true;
  if (isIPv4(name)) return name.startsWith("127.");
  if (isIPv6(name)) {
    // The URL parser writes an IPv6 address in its canonical form: `0:0:0:0:0:0:0:1` is `[::1]`, and an IPv4-mapped
    // 127.x.y.z is `[::ffff:7fxx:yyzz]`.
    const canonical = new URL(`http://[${name}]`).hostname;
    return canonical === "[::1]" || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
  }
  return false;
}
