import { packageBuild } from "../../tsup.shared.js";

// The public entry, `@switchboard/core/audit` (chain and checkpoint internals for stores and the CLI) and
// `@switchboard/core/app` (what the CLI, the HTTP endpoint and the testing kit wire up).
export default packageBuild(["src/index.ts", "src/audit-internals.ts", "src/app-internals.ts"]);
