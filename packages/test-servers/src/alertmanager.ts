/**
 * A real Alertmanager (Debian's `prometheus-alertmanager`) for tests, from a temporary folder on a free loopback
 * port, gossip clustering off, delivering every alert group to one webhook (grouped by `alertname`, sent after 1 s,
 * resolutions included). A missing binary fails the test with the command that provisions it
 * (`sh scripts/test-servers.sh`).
 * @module
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./files.js";
import { type HttpServerProcess, startHttpServerProcess } from "./http-process.js";
import { freePort, requireBinary } from "./wait.js";

/** Where the test Alertmanager delivers. */
export interface AlertmanagerOptions {
  /** The webhook receiver's URL. */
  webhook: string;
  /** Sent as `Authorization: Bearer <token>` with every delivery, when given. */
  token?: string;
}

/** A running Alertmanager; alerts are posted to `url/api/v2/alerts`. */
export type Alertmanager = HttpServerProcess;

/** Starts Alertmanager delivering to `options.webhook`. */
export async function startAlertmanager(options: AlertmanagerOptions): Promise<Alertmanager> {
  const binary = requireBinary("prometheus-alertmanager");
  const folder = tempDir("switchboard-alertmanager-");
  const port = await freePort();
  const config = {
    route: { receiver: "bot", group_by: ["alertname"], group_wait: "1s", group_interval: "1s", repeat_interval: "1h" },
    receivers: [
      {
        name: "bot",
        webhook_configs: [
          {
            url: options.webhook,
            send_resolved: true,
            ...(options.token
              ? { http_config: { authorization: { type: "Bearer", credentials: options.token } } }
              : {}),
          },
        ],
      },
    ],
  };
  writeFileSync(join(folder.dir, "alertmanager.yml"), JSON.stringify(config));
  return startHttpServerProcess(
    "alertmanager",
    binary,
    [
      `--config.file=${join(folder.dir, "alertmanager.yml")}`,
      `--storage.path=${join(folder.dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
    ],
    folder,
    port,
  );
}
