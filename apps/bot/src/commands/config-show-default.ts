import { defaultConfigText } from "../config/default.js";

/** `switchboard config show-default`: the built-in configuration, with the OS login filled in. */
export async function configShowDefaultCommand(): Promise<number> {
  process.stdout.write(defaultConfigText());
  return 0;
}
