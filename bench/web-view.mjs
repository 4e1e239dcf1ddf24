// Web view costs (issue 22): how long a page takes as the audit log grows. Every audit page view verifies the whole
// chain (that is what it shows), so its time grows with the log; the job page reads only the job's entries.
// Real commands fill the log (ping, as alice in a direct message); pages are fetched over loopback HTTP.
//
//   node bench/web-view.mjs
import { httpConfigSchema, startHttpServer } from "@switchboard/http";
import { createHarness } from "@switchboard/testing";

const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];

const h = await createHarness({
  policy: {
    roles: { ops: { permissions: ["*"] } },
    principals: { alice: { identities: { test: "alice" }, roles: ["ops"] } },
  },
});
const config = httpConfigSchema.parse({
  listen: "127.0.0.1:0",
  metrics: false,
  rateLimit: { max: 100000, window: "1m" },
  web: { key: "bench-key-0123456789abcdef0123456789abcdef", publicUrl: "http://public.example" },
});
const server = await startHttpServer({ bot: h.bot, config });
const alice = h.as("alice", { direct: true });
const local = (link) => link.replace("http://public.example", server.url);
const linkOf = async (line) => local(/https?:\/\/\S+/.exec((await alice.say(line)).text)[0]);

async function time(url, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const response = await fetch(url);
    await response.text();
    if (response.status !== 200) throw new Error(`status ${response.status}`);
    times.push(ms(start));
  }
  return median(times);
}

console.log("| audit entries | GET /web/audit (ms, median of 10) | GET /web/job/<id> (ms, median of 10) |");
console.log("|---|---|---|");
let said = 0;
for (const target of [1_000, 10_000, 50_000]) {
  while (said * 2 < target) {
    await alice.say("ping");
    said++;
  }
  let entries = 0;
  for await (const _ of h.bot.auditLog.entries()) entries++;
  const [last] = await h.bot.auditLog.query({ command: "ping", event: "outcome", limit: 1 });
  const audit = await linkOf("audit --link");
  const job = await linkOf(`job ${last.jobId} --link`);
  console.log(`| ${entries} | ${(await time(audit, 10)).toFixed(1)} | ${(await time(job, 10)).toFixed(1)} |`);
}
await server.close();
await h.close();
