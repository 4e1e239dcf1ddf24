/**
 * A real Prometheus (from @switchboard/test-servers) scraping the test exporter, with a known history:
 * `switchboard_test_load` is 1 for fs1 for at least three scrapes, then 5 for at least three more; fs2 stays 2;
 * `switchboard_test_memory_bytes{host="fs1"}` is 512 MiB. Prometheus shows the first sample only after ~6 s (target
 * discovery), so this polls.
 */
import { eventually, freePort, type Prometheus, startPrometheus } from "@switchboard/test-servers";
import { type Exporter, startExporter } from "./exporter.js";

/** The running servers, and a port nothing listens on (an unreachable backend). */
export interface KnownHistory {
  exporter: Exporter;
  prometheus: Prometheus;
  closedPort: number;
  stop(): Promise<void>;
}

/** Starts the exporter and Prometheus and waits until the history above is recorded. */
export async function startKnownHistory(): Promise<KnownHistory> {
  const exporter = await startExporter();
  exporter.load.set({ host: "fs1" }, 1);
  exporter.load.set({ host: "fs2" }, 2);
  exporter.memory.set({ host: "fs1" }, 512 * 1024 * 1024);
  let prometheus: Prometheus | undefined;
  const stop = async () => {
    await prometheus?.stop();
    await exporter.stop();
  };
  try {
    prometheus = await startPrometheus({ scrape: { exporter: [exporter.address] } });
    const server = prometheus;
    const samples = async () => {
      const [first] = await server.query('count_over_time(switchboard_test_load{host="fs1"}[1m])');
      return Number(first?.value[1] ?? 0);
    };
    const before = await eventually(
      "three samples of 1",
      async () => {
        const count = await samples();
        return count >= 3 ? count : undefined;
      },
      45_000,
    );
    exporter.load.set({ host: "fs1" }, 5);
    await eventually("three samples of 5", async () => (await samples()) >= before + 4, 30_000);
    return { exporter, prometheus, closedPort: await freePort(), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
