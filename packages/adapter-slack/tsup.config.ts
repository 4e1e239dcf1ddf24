import { packageBuild } from "../../tsup.shared.js";

/** Two entries: the adapter, and the light `./type` entry (config schema and factory) the app loads first. */
export default packageBuild(["src/index.ts", "src/type.ts"]);
