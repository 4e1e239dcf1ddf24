import { packageBuild } from "../../tsup.shared.js";

// The public entry, and `@switchboard/core/audit` (chain and checkpoint internals for stores and the CLI).
export default packageBuild(["src/index.ts", "src/audit-internals.ts"]);
