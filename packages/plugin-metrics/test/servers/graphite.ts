/**
 * A real Graphite (Debian's graphite-web + graphite-carbon, served by gunicorn) on free loopback ports, with
 * everything in a temporary folder (research/test-servers.md §5): carbon-cache takes the plaintext protocol,
 * graphite-web reads whisper files and carbon's cache.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, poll, requireBinary } from "./common.js";

/** A running Graphite. */
export interface GraphiteServer {
  /** graphite-web's base URL. */
  url: string;
  /** Sends `path value timestamp` lines to carbon (plaintext protocol). */
  send(lines: Array<[path: string, value: number, epochSeconds: number]>): Promise<void>;
  stop(): Promise<void>;
}

const python = (value: string) => JSON.stringify(value);

/** Starts carbon-cache and graphite-web. */
export async function startGraphite(): Promise<GraphiteServer> {
  const carbon = requireBinary("carbon-cache");
  const gunicorn = requireBinary("gunicorn");
  const manage = requireBinary("graphite-manage");
  const dir = mkdtempSync(join(tmpdir(), "metrics-graphite-"));
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
  const start = (argv: string[]) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    const keep = (chunk: Buffer) => output.push(chunk.toString().slice(-2000));
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    children.push(child);
    return child;
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
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${webPort}`;
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
    const alive = () => {
      const dead = children.find((c) => c.exitCode !== null);
      if (dead) throw new Error(`a graphite process exited: ${output.join("").slice(-1500)}`);
    };
    await poll(
      "carbon line receiver",
      () =>
        new Promise<true | undefined>((resolve) => {
          alive();
          const socket = connect(linePort, "127.0.0.1", () => {
            socket.end();
            resolve(true);
          });
          socket.on("error", () => resolve(undefined));
        }),
      60_000,
    );
    await poll(
      "graphite-web",
      async () => {
        alive();
        const response = await fetch(`${url}/metrics/find?query=*`);
        return response.ok ? true : undefined;
      },
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
    stop,
  };
}
