/**
 * The Prometheus and Alertmanager launchers together: Prometheus scrapes a job given as an object and evaluates a
 * rule that always fires, sends it to the Alertmanager, which delivers the group to the webhook with the bearer token;
 * after `stop()` neither answers.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type Alertmanager,
  eventually,
  type Prometheus,
  startAlertmanager,
  startPrometheus,
} from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

interface Delivery {
  authorization: string | undefined;
  body: { status: string; groupLabels: Record<string, string> };
}

describe("startPrometheus and startAlertmanager", { timeout: 60_000 }, () => {
  const deliveries: Delivery[] = [];
  const webhook = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      deliveries.push({
        authorization: request.headers.authorization,
        body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
      });
      response.writeHead(200).end();
    });
  });
  let alertmanager: Alertmanager;
  let prometheus: Prometheus;

  beforeAll(async () => {
    await new Promise<void>((resolve) => webhook.listen(0, "127.0.0.1", resolve));
    const { port } = webhook.address() as AddressInfo;
    alertmanager = await startAlertmanager({ webhook: `http://127.0.0.1:${port}/hook`, token: "t0ken-for-the-test" });
    const alertmanagerAddress = `127.0.0.1:${alertmanager.port}`;
    prometheus = await startPrometheus({
      scrape: { alertmanager: [alertmanagerAddress] },
      rules: { groups: [{ name: "test", rules: [{ alert: "AlwaysFiring", expr: "vector(1)" }] }] },
      alertmanagers: [alertmanagerAddress],
    });
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await new Promise((resolve) => webhook.close(resolve));
  });

  it("a rule given as an object fires, and Alertmanager delivers its group with the bearer token", async () => {
    const delivery = await eventually(
      "the AlwaysFiring group at the webhook",
      () => deliveries.find((d) => d.body.groupLabels.alertname === "AlwaysFiring"),
      40_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${prometheus.log()}\n${alertmanager.log()}`);
    });
    expect(delivery.authorization).toBe("Bearer t0ken-for-the-test");
    expect(delivery.body.status).toBe("firing");
  });

  it("scrapes the job given as an object", async () => {
    const [up] = await eventually(
      "a sample of up",
      async () => {
        const result = await prometheus.query('up{job="alertmanager"}');
        return result.length > 0 ? result : undefined;
      },
      30_000,
    );
    expect(up?.value[1]).toBe("1");
  });

  it("a bad query fails with Prometheus's error; after stop() neither server answers", async () => {
    await expect(prometheus.query("up{")).rejects.toThrow(/query up\{ failed: .*bad_data/);
    await prometheus.stop();
    await alertmanager.stop();
    for (const url of [prometheus.url, alertmanager.url])
      await expect(fetch(`${url}/-/ready`)).rejects.toThrow(/fetch failed/);
  });
});
