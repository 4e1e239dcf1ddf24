/**
 * Relative paths in a configuration file mean "from the file's folder", wherever the command was started: the
 * commands change into that folder after loading the file, so the bot's own paths (store, log, audit key) and the
 * plugins' (repositories, scripts, rota files) all resolve the same way. The built-in default, which has no file,
 * keeps the working directory.
 * @module
 */
import { dirname } from "node:path";
import { type LoadConfigOptions, type LoadedConfig, loadConfig } from "./load.js";

/**
 * Changes the working directory to the folder of the loaded configuration file (nothing for the built-in
 * default) and returns the folder relative paths now resolve against.
 */
export function enterConfigFolder(loaded: Pick<LoadedConfig, "file">): string {
  if (loaded.file) process.chdir(dirname(loaded.file));
  return process.cwd();
}

/** {@link loadConfig}, then {@link enterConfigFolder}: what every command that reads a configuration does. */
export function loadConfigFromItsFolder(file?: string, options: LoadConfigOptions = {}): LoadedConfig {
  const loaded = loadConfig(file, options);
  enterConfigFolder(loaded);
  return loaded;
}
