/**
 * Real servers for Switchboard's tests (private; a dev dependency of the packages whose tests use them): IRC servers
 * (ngircd; inspircd linked to atheme-services) and IRC users, a Synapse homeserver and Matrix users. What they need
 * on the machine is provisioned by `sh scripts/test-servers.sh`, which `npm test` runs first; a missing server fails
 * the test with that command, never skips it.
 * @module
 */
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
export { chrootDir, Homeserver, requireChroot } from "./synapse.js";
export { canConnect, eventually, freePort, notProvisioned, PROVISION, requireBinary, until } from "./wait.js";
