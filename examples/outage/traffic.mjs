// Steady demo traffic through HAProxy for examples/outage: a request every 200 ms to <url>, so the front ends' logs
// fill and `lb status` shows sessions moving. Errors are ignored (that is what the demo is about).
//   node examples/outage/traffic.mjs <url>
const url = process.argv[2];
if (!url) {
  console.error("usage: node traffic.mjs <url>");
  process.exit(2);
}
setInterval(() => {
  fetch(url, { signal: AbortSignal.timeout(2000) })
    .then((response) => response.arrayBuffer())
    .catch(() => undefined);
}, 200);
