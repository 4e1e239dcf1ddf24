/**
 * A real Graphite for tests (Debian's graphite-web + graphite-carbon, served by gunicorn) on free loopback ports,
 * with everything in a temporary folder: carbon-cache takes the plaintext protocol, graphite-web reads the whisper
 * files and carbon's cache (10 s steps, kept a day). A missing binary fails the test with the command that
 * provisions it (`sh scripts/test-servers.sh`).
 * @module
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { tempDir } from "./files.js";
import { canConnect, freePort, requireBinary, until } from "./wait.js";

/** A running Graphite. */
export interface GraphiteServer {
  /** graphite-web's base URL (`/render`, `/metrics/find`). */
  url: string;
  /** Sends `path value timestamp` lines to carbon (plaintext protocol). */
  send(lines: Array<[path: string, value: number, epochSeconds: number]>): Promise<void>;
  /** The processes' last output (for failure messages). */
  log(): string;
  /** Stops carbon and graphite-web and removes the folder. */
  stop(): Promise<void>;
}

const python = (value: string) => JSON.stringify(value);

/** Starts carbon-cache and graphite-web (about 5–10 s: Django's migrations run first). */
export async function startGraphite(): Promise<GraphiteServer> {
  const carbon = requireBinary("carbon-cache");
  const gunicorn = requireBinary("gunicorn");
  const manage = requireBinary("graphite-manage");
  const folder = tempDir("switchboard-graphite-");
  const dir = folder.dir;
  for (const sub of ["conf", "storage/whisper", "log", "run"]) mkdirSync(join(dir, sub), { recursive: true });
  const [linePort, picklePort, queryPort, webPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  writeFileSync(
    join(dir, "conf", "carbon.conf"),
    [
      "[cache]",
      `STORAGE_DIR = ${dir}/storage/`,
      `LOCAL_DATA_DIR = ${dir}/storage/whisper/`,
      `CONF_DIR = ${dir}/conf/`,
      `LOG_DIR = ${dir}/log/`,
      `PID_DIR = ${dir}/run/`,
      "DATABASE = whisper",
      "ENABLE_LOGROTATION = False",
      "USER =",
      "MAX_CACHE_SIZE = inf",
      "MAX_UPDATES_PER_SECOND = 1000",
      "MAX_CREATES_PER_MINUTE = inf",
      "LINE_RECEIVER_INTERFACE = 127.0.0.1",
      `LINE_RECEIVER_PORT = ${linePort}`,
      "ENABLE_UDP_LISTENER = False",
      "PICKLE_RECEIVER_INTERFACE = 127.0.0.1",
      `PICKLE_RECEIVER_PORT = ${picklePort}`,
      "CACHE_QUERY_INTERFACE = 127.0.0.1",
      `CACHE_QUERY_PORT = ${queryPort}`,
      "",
    ].join("\n"),
  );
  writeFileSync(join(dir, "conf", "storage-schemas.conf"), "[default]\npattern = .*\nretentions = 10s:1d\n");
  writeFileSync(
    join(dir, "ci_local_settings.py"),
    [
      "SECRET_KEY = 'switchboard-test-only'",
      `STORAGE_DIR = ${python(`${dir}/storage`)}`,
      `WHISPER_DIR = ${python(`${dir}/storage/whisper`)}`,
      `LOG_DIR = ${python(`${dir}/log`)}`,
      `INDEX_FILE = ${python(`${dir}/storage/index`)}`,
      "STATIC_ROOT = '/usr/share/graphite-web/static'",
      `CARBONLINK_HOSTS = ['127.0.0.1:${queryPort}']`,
      `DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ${python(`${dir}/graphite.db`)}}}`,
      "",
    ].join("\n"),
  );
  const env = {
    PATH: "/usr/local/bin:/usr/bin:/bin",
    HOME: dir,
    LANG: "C.UTF-8",
    PYTHONPATH: dir,
    GRAPHITE_SETTINGS_MODULE: "ci_local_settings",
    DJANGO_SETTINGS_MODULE: "graphite.settings",
  };
  const children: ChildProcess[] = [];
  const output: string[] = [];
  const log = () => output.join("").slice(-4000);
  const start = (argv: [string, ...string[]]) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    const keep = (chunk: Buffer) => output.push(chunk.toString().slice(-2000));
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    children.push(child);
  };
  const stop = async () => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }),
    );
    folder.remove();
  };
  const url = `http://127.0.0.1:${webPort}`;
  const alive = () => {
    if (children.some((c) => c.exitCode !== null)) throw new Error(`a graphite process exited:\n${log()}`);
  };
  try {
    await promisify(execFile)(manage, ["migrate", "--run-syncdb"], { cwd: dir, env, timeout: 120_000 });
    start([carbon, `--config=${dir}/conf/carbon.conf`, "--nodaemon", "start"]);
    start([
      gunicorn,
      "--bind",
      `127.0.0.1:${webPort}`,
      "--workers",
      "1",
      "--threads",
      "2",
      "--chdir",
      dir,
      "graphite.wsgi:application",
    ]);
    await until(
      async () => {
        alive();
        return canConnect(linePort);
      },
      "carbon's line receiver",
      60_000,
    );
    await until(
      async () => {
        alive();
        return (await fetch(`${url}/metrics/find?query=*`).catch(() => undefined))?.ok === true;
      },
      "graphite-web",
      60_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    send: (lines) =>
      new Promise<void>((resolve, reject) => {
        const socket = connect(linePort, "127.0.0.1", () => {
          socket.end(lines.map(([path, value, time]) => `${path} ${value} ${time}\n`).join(""), () => resolve());
        });
        socket.on("error", reject);
      }),
    log,
    stop,
  };
}
