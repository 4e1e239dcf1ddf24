// A small "front end" for examples/outage: answers HTTP on 127.0.0.1:<port> and writes one log line per request to
// <dir>/<name>.log. It serves the release named in <dir>/<name>.release (written by deploy.sh); a release on the
// branch "broken" answers 500 and logs an error, as a bad deploy would. /health always answers 200 (the process is
// alive; the errors are the application's), so HAProxy keeps it in rotation until someone takes it out.
//   node examples/outage/frontend.mjs <name> <port> <dir>
import { appendFileSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";

const [name, port, dir] = process.argv.slice(2);
if (!name || !port || !dir) {
  console.error("usage: node frontend.mjs <name> <port> <dir>");
  process.exit(2);
}
const logFile = join(dir, `${name}.log`);
const log = (line) => appendFileSync(logFile, `${new Date().toISOString()} ${name} ${line}\n`);
const release = () => {
  try {
    return readFileSync(join(dir, `${name}.release`), "utf8").trim();
  } catch {
    return "none";
  }
};

createServer((request, response) => {
  if (request.url === "/health") return response.writeHead(200).end("ok\n");
  const running = release();
  if (running.startsWith("broken")) {
    log(
      `ERROR 500 ${request.method} ${request.url}: TypeError: Cannot read properties of undefined (reading 'price') [release ${running}]`,
    );
    return response.writeHead(500, { "content-type": "text/plain" }).end(`${name}: internal error\n`);
  }
  log(`INFO 200 ${request.method} ${request.url} [release ${running}]`);
  response.writeHead(200, { "content-type": "text/plain" }).end(`${name}: ok (${running})\n`);
}).listen(Number(port), "127.0.0.1", () => log(`INFO listening on 127.0.0.1:${port} [release ${release()}]`));
