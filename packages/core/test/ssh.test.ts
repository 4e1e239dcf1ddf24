/**
 * The ssh argv core builds for plugins: fixed options (keys only, host keys from the configured file alone), and
 * refusals of anything a remote shell would read or ssh would take as an option. Running it against a real sshd is
 * tested by the plugins that use it (plugin-puppet, plugin-logs).
 */
import { describe, expect, it } from "vitest";
import { sshArgv, sshProblem, sshSettingsSchema } from "../src/ssh.js";

const settings = sshSettingsSchema.parse({ identityFile: "/keys/id", knownHostsFile: "/keys/known_hosts" });
const target = { user: "root", address: "fe1.example.org", port: 2222 };

describe("sshArgv", () => {
  it("runs the remote words after -- with key authentication and the configured known_hosts only", () => {
    const argv = sshArgv(settings, target, ["tail", "-n", "50", "--", "/var/log/web.log"]);
    expect(argv.slice(0, 3)).toEqual(["ssh", "-F", "none"]);
    expect(argv).toContain("StrictHostKeyChecking=yes");
    expect(argv).toContain("UserKnownHostsFile=/keys/known_hosts");
    expect(argv).toContain("GlobalKnownHostsFile=/dev/null");
    expect(argv).toContain("ConnectTimeout=10");
    expect(argv.slice(-8)).toEqual([
      "2222",
      "root@fe1.example.org",
      "--",
      "tail",
      "-n",
      "50",
      "--",
      "/var/log/web.log",
    ]);
  });

  it("refuses remote words a shell would read, and users or addresses that read as options", () => {
    for (const word of ["a b", "$(id)", "`id`", "x;id", "a|b", "a'b", 'a"b', "a\nb", "~root", ""])
      expect(() => sshArgv(settings, target, ["echo", word])).toThrow(/refusing to send/);
    expect(() => sshArgv(settings, { ...target, address: "-oProxyCommand=id" }, ["true"])).toThrow(/ssh address/);
    expect(() => sshArgv(settings, { ...target, user: "-l" }, ["true"])).toThrow(/ssh user/);
    expect(() => sshArgv(settings, { ...target, port: 0 }, ["true"])).toThrow(/ssh port/);
    expect(sshArgv(settings, { ...target, address: "[::1]" }, ["true"])).toContain("root@::1");
  });

  it("names a host key refusal as such", () => {
    expect(sshProblem(["Host key verification failed."])).toMatch(/not in the known_hosts file/);
    expect(sshProblem(["@@@@", "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @"])).toMatch(
      /does not match/,
    );
    expect(sshProblem(["ssh: connect to host x port 22: Connection refused"])).toBe(
      "ssh failed: ssh: connect to host x port 22: Connection refused",
    );
  });
});
