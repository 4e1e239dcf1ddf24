/**
 * Real IRC servers for the tests: ngircd, and inspircd linked to atheme-services (accounts, SASL, account-tag).
 * Each runs from a temporary folder on free loopback ports and is stopped by the test that started it. A missing
 * binary fails the test with the command that provisions it (`sh scripts/test-servers.sh`).
 * @module
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { canConnect, freePort, requireBinary, until } from "./wait.js";

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** A server process that can be stopped, started again on the same ports, frozen and thawed. */
export class ServerProcess {
  #child: ChildProcess | undefined;

  constructor(
    private readonly command: string,
    private readonly args: string[],
    private readonly logFile: string,
    /** Resolves when the server is ready. */
    private readonly ready: () => Promise<void>,
  ) {}

  async start(): Promise<void> {
    const log = openSync(this.logFile, "a");
    // The server's folder is its working directory: inspircd 3.15 with ssl_gnutls crashes while exiting on
    // SIGTERM and dumps core into it (it raises its own core size limit); the folder is removed afterwards.
    const child = spawn(this.command, this.args, { cwd: dirname(this.logFile), stdio: ["ignore", log, log] });
    this.#child = child;
    running.add(child);
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code) => reject(new Error(`${this.command} exited (${code}) at start; see ${this.logFile}`))),
    );
    exited.catch(() => {});
    await Promise.race([this.ready(), exited]);
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGCONT");
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(killer);
    running.delete(child);
  }

  /** Freezes the process (SIGSTOP): connections stay open, but nothing is answered. */
  freeze(): void {
    this.#child?.kill("SIGSTOP");
  }

  thaw(): void {
    this.#child?.kill("SIGCONT");
  }
}

/** A running test network. */
export interface TestServer {
  port: number;
  /** Port of the TLS listener, when one was asked for. */
  tlsPort?: number;
  dir: string;
  ircd: ServerProcess;
  /** Stops every process and removes the folder. */
  stop(): Promise<void>;
}

/** Test certificates made with openssl: a CA, a server certificate for 127.0.0.1/localhost, a client certificate. */
export interface TestCertificates {
  caFile: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** Makes a throw-away CA, a server certificate signed by it, and a self-signed client certificate, in `dir`. */
export function makeCertificates(dir: string): TestCertificates {
  const openssl = requireBinary("openssl");
  const run = (args: string[]) => {
    const result = spawnSync(openssl, args, { cwd: dir, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  run([
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "30",
    "-subj",
    "/CN=Switchboard test CA",
  ]);
  run(["req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"]);
  writeFileSync(join(dir, "server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  run([
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "30",
    "-extfile",
    "server.ext",
  ]);
  run(["req", "-x509", ...ec, "-keyout", "client.key", "-out", "client.pem", "-days", "30", "-subj", "/CN=sbot"]);
  return {
    caFile: join(dir, "ca.pem"),
    serverCert: join(dir, "server.pem"),
    serverKey: join(dir, "server.key"),
    clientCert: join(dir, "client.pem"),
    clientKey: join(dir, "client.key"),
  };
}

/**
 * Starts ngircd (plain IRC, no services); optionally with a TLS port. By default ngircd throttles each client as it
 * does out of the box (it stops reading a client for a second after each few commands and after WHOIS: about 3
 * lines a second); `penalties: false` turns that off (MaxPenaltyTime = 0) for tests about something else.
 */
export async function startNgircd(
  options: {
    tls?: TestCertificates;
    penalties?: boolean;
    /** ngircd's default is 9; the tests' default 30 lets the bot be "switchboard". */
    maxNickLength?: number;
    /** A server password every client must send (PASS). */
    password?: string;
  } = {},
): Promise<TestServer> {
  const ngircd = requireBinary("ngircd");
  const dir = mkdtempSync(join(tmpdir(), "switchboard-ngircd-"));
  const port = await freePort();
  const tlsPort = options.tls ? await freePort() : undefined;
  const config = join(dir, "ngircd.conf");
  writeFileSync(
    config,
    [
      "[Global]",
      "\tName = irc.test.local",
      "\tInfo = Switchboard test server",
      "\tListen = 127.0.0.1",
      `\tPorts = ${port}`,
      '\tMotdPhrase = "test"',
      ...(options.password ? [`\tPassword = ${options.password}`] : []),
      `\tPidFile = ${join(dir, "ngircd.pid")}`,
      "\tServerUID = root",
      "\tServerGID = root",
      "[Limits]",
      "\tMaxConnectionsIP = 0",
      `\tMaxNickLength = ${options.maxNickLength ?? 30}`,
      "\tPingTimeout = 120",
      "\tPongTimeout = 20",
      ...(options.penalties === false ? ["\tMaxPenaltyTime = 0"] : []),
      "[Options]",
      "\tPAM = no",
      "\tIdent = no",
      "\tDNS = no",
      "\tSyslogFacility = local1",
      ...(options.tls
        ? [
            "[SSL]",
            `\tCertFile = ${options.tls.serverCert}`,
            `\tKeyFile = ${options.tls.serverKey}`,
            `\tPorts = ${tlsPort}`,
          ]
        : []),
      "",
    ].join("\n"),
  );
  const check = spawnSync(ngircd, ["--configtest", "--config", config], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`ngircd rejected its test configuration:\n${check.stdout}${check.stderr}`);
  const ircd = new ServerProcess(ngircd, ["--config", config, "--nodaemon"], join(dir, "ngircd.log"), () =>
    until(() => canConnect(port), `ngircd on port ${port}`),
  );
  await ircd.start();
  return {
    port,
    ...(tlsPort ? { tlsPort } : {}),
    dir,
    ircd,
    async stop() {
      await ircd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** inspircd with atheme-services linked: accounts, SASL PLAIN/EXTERNAL, account-tag, extended-join, account-notify. */
export interface ServicesServer extends TestServer {
  services: ServerProcess;
}

/**
 * Starts inspircd 3 and atheme-services linked to it (the settings from research/test-servers.md §2). Client
 * connections keep inspircd's default flood limits (10 lines at once, then 1 per second; over 8 KiB waiting
 * disconnects) unless `relaxedFloodLimits`. Ready once services have linked (the `sasl` capability is only
 * offered then).
 */
export async function startInspircdWithServices(
  options: {
    tls?: TestCertificates;
    /** Lift inspircd's per-client flood limits (for tests about something else that send a lot). */
    relaxedFloodLimits?: boolean;
    /** Offer the account-tag capability (default true); without it, accounts come from joins, ACCOUNT and WHOX. */
    accountTag?: boolean;
  } = {},
): Promise<ServicesServer> {
  const inspircd = requireBinary("inspircd");
  const atheme = requireBinary("atheme-services");
  const dir = mkdtempSync(join(tmpdir(), "switchboard-inspircd-"));
  const [port, linkPort] = [await freePort(), await freePort()];
  const tlsPort = options.tls ? await freePort() : undefined;
  const tls = options.tls;
  writeFileSync(
    join(dir, "inspircd.conf"),
    [
      '<config format="xml">',
      '<server name="irc.test.local" description="Switchboard test server" network="TestNet">',
      '<admin name="test" nick="test" email="test@localhost">',
      `<bind address="127.0.0.1" port="${port}" type="clients">`,
      ...(tls ? [`<bind address="127.0.0.1" port="${tlsPort}" type="clients" ssl="test">`] : []),
      `<bind address="127.0.0.1" port="${linkPort}" type="servers">`,
      // Default flood limits for clients unless relaxed; the per-IP connection limit is raised (every client is local).
      `<connect allow="*" timeout="60" localmax="1000" globalmax="1000" maxchans="50" resolvehostnames="no" useident="no"${
        options.relaxedFloodLimits ? ' threshold="1000" commandrate="100000" fakelag="off" recvq="65536"' : ""
      }>`,
      `<pid file="${join(dir, "inspircd.pid")}">`,
      `<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="${join(dir, "ircd.log")}">`,
      '<options allowzerolimit="no">',
      '<security runasuser="" runasgroup="">',
      ...[
        "cap",
        "ircv3",
        ...(options.accountTag === false ? [] : ["ircv3_accounttag"]),
        "ircv3_servertime",
        "ircv3_msgid",
        "ircv3_ctctags",
        "services_account",
        "sasl",
        "spanningtree",
        "chghost",
        "cban",
        "svshold",
        "shun",
        "topiclock",
        "globops",
        "deaf",
        "monitor",
        ...(tls ? ["ssl_gnutls", "sslinfo"] : []),
      ].map((name) => `<module name="${name}">`),
      ...(tls
        ? [
            `<sslprofile name="test" provider="gnutls" certfile="${tls.serverCert}" keyfile="${tls.serverKey}" requestclientcert="yes" hash="sha256">`,
          ]
        : []),
      '<ircv3 accountnotify="yes" awaynotify="yes" extendedjoin="yes">',
      '<sasl target="services.test.local" requiressl="no">',
      `<link name="services.test.local" ipaddr="127.0.0.1" port="${linkPort}" allowmask="127.0.0.0/8" sendpass="linkpass" recvpass="linkpass">`,
      '<uline server="services.test.local" silent="yes">',
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "atheme.conf"),
    `${[
      "protocol/inspircd",
      "backend/opensex",
      "crypto/pbkdf2v2",
      "nickserv/main",
      "nickserv/register",
      "nickserv/identify",
      "nickserv/logout",
      "nickserv/info",
      "nickserv/cert",
      "saslserv/main",
      "saslserv/plain",
      "saslserv/external",
    ]
      .map((m) => `loadmodule "modules/${m}";`)
      .join("\n")}
pbkdf2v2 { rounds = 1000; };
serverinfo {
  name = "services.test.local"; desc = "Switchboard test services"; numeric = "00A"; recontime = 1;
  netname = "TestNet"; hidehostsuffix = "users.test"; adminname = "test"; adminemail = "test@localhost";
  registeremail = "test@localhost"; mta = "/bin/true"; loglevel = { error; info; admin; network; };
  maxlogins = 5; maxusers = 50; mdlimit = 30; emaillimit = 1000; emailtime = 300; auth = none; casemapping = rfc1459;
};
uplink "irc.test.local" { host = "127.0.0.1"; port = ${linkPort}; send_password = "linkpass"; receive_password = "linkpass"; };
nickserv { nick = "NickServ"; user = "NickServ"; host = "services.test.local"; real = "Nickname Services"; maxnicks = 5; expire = 30; };
saslserv { nick = "SaslServ"; user = "SaslServ"; host = "services.test.local"; real = "SASL"; };
general {
  flood_msgs = 0; flood_time = 10; ratelimit_uses = 1000; ratelimit_period = 60; commit_interval = 5;
  default_clone_allowed = 1000; default_clone_warn = 1000; uplink_sendq_limit = 1048576; language = "en";
};
`,
  );
  const ircd = new ServerProcess(
    inspircd,
    [`--config=${join(dir, "inspircd.conf")}`, "--nofork", "--runasroot"],
    join(dir, "inspircd.out"),
    () => until(() => canConnect(port), `inspircd on port ${port}`),
  );
  const services = new ServerProcess(
    atheme,
    ["-n", "-c", join(dir, "atheme.conf"), "-D", dir, "-l", join(dir, "atheme.log"), "-p", join(dir, "atheme.pid")],
    join(dir, "atheme.out"),
    () => until(() => saslOffered(port), "atheme-services to link (the sasl capability)", 15_000),
  );
  await ircd.start();
  await services.start();
  return {
    port,
    ...(tlsPort ? { tlsPort } : {}),
    dir,
    ircd,
    services,
    async stop() {
      await services.stop();
      await ircd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether the server offers SASL to a new client (it does once services are linked). */
function saslOffered(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let seen = "";
    const done = (value: boolean) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("CAP LS 302\r\n"));
    socket.on("data", (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      if (/CAP \* LS :.*\r\n/.test(seen)) done(/\bsasl\b/.test(seen));
    });
  });
}
