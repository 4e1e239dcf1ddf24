/**
 * Real servers for Switchboard's tests (private; a dev dependency of the packages whose tests use them): IRC servers
 * (ngircd; inspircd linked to atheme-services) and IRC users, a Synapse homeserver and Matrix users, an OpenSSH
 * server on loopback, throwaway PostgreSQL 15 clusters and PgBouncer, a real HAProxy in front of local front ends,
 * Prometheus, Alertmanager and Graphite (carbon + graphite-web), a local Slack (Web API + Socket Mode, for the real
 * Slack clients) with people in it, a local PagerDuty (REST API v2 and Events API v2), a local Atlassian Statuspage
 * (REST API v1), and a local GitHub (the REST endpoints of deploys and CI, and signed webhooks). What they need on the machine is provisioned by `sh scripts/test-servers.sh`,
 * which `npm test` runs first; a missing server fails the test with that command, never skips it.
 * @module
 */

export { type Alertmanager, startAlertmanager } from "./alertmanager.js";
export { git, gitEnv, tempDir } from "./files.js";
export {
  type FakeApp,
  type FakeCheckRun,
  type FakeDeployment,
  type FakeDeploymentStatus,
  FakeGitHub,
  type FakeStatus,
  type FakeWebhook,
  GITHUB_ACTIONS,
  type RecordedRequest,
} from "./github.js";
export { type GraphiteServer, startGraphite } from "./graphite.js";
export {
  type BackendSpec,
  FrontEnd,
  type HaproxyOptions,
  HaproxyServer,
  parseShowStat,
  runtimeCommand,
  type StatRow,
} from "./haproxy.js";
export {
  makeCertificates,
  ServerProcess,
  type ServicesServer,
  startInspircdWithServices,
  startNgircd,
  type TestCertificates,
  type TestServer,
} from "./irc.js";
export { type IrcClient, type IrcMessageEvent, IrcUser, type IrcUserOptions, type Received } from "./irc-user.js";
export { bodyOf, type Seen, TestUser } from "./matrix-user.js";
export {
  FakePagerDuty,
  type PagerDutyIncident,
  type PagerDutyLayer,
  type PagerDutyRequest,
  type PagerDutySchedule,
  type PagerDutyService,
  type PagerDutyUser,
} from "./pagerduty.js";
export { makePng } from "./png.js";
export {
  POSTGRES_BIN,
  startPgBouncer,
  startPostgres,
  type TestPgBouncer,
  type TestPostgres,
} from "./postgres.js";
export { type Prometheus, startPrometheus } from "./prometheus.js";
export {
  type ApiCall,
  FakeSlack,
  type FakeUser,
  type LostAnswer,
  type PostedMessage,
  type SharedFile,
  slackBot,
  slackTeam,
} from "./slack.js";
export { type Delivered, SlackPeople, type SlackTransport, slackSignature } from "./slack-people.js";
export { type Envelope, FakeSocketMode } from "./slack-socket-mode.js";
export { type Sshd, startSshd } from "./sshd.js";
export {
  FakeStatuspage,
  type StatuspageComponent,
  type StatuspageIncident,
  type StatuspageRequest,
} from "./statuspage.js";
export { chrootDir, Homeserver, requireChroot } from "./synapse.js";
export { TcpProxy } from "./tcp-proxy.js";
export { canConnect, eventually, freePort, notProvisioned, PROVISION, requireBinary, until } from "./wait.js";
