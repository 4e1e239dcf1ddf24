/**
 * Argument definitions shared by the lb commands; every name typed in chat is checked here before anything else.
 * @module
 */
import { arg } from "@switchboard/core";
import { CONFIG_NAME_PATTERN, nameProblem, printable } from "../names.js";

/** `backend`. */
export const backendArg = arg.string({ required: true, description: "the HAProxy backend", validate: nameProblem });

/** `server`. */
export const serverArg = arg.string({
  required: true,
  description: "the server in the backend",
  validate: nameProblem,
});

/** `--site`. */
export const siteArg = arg.string({
  description: "the site whose HAProxy instances to use (default: the default site)",
  validate: (value) =>
    CONFIG_NAME_PATTERN.test(value.toLowerCase()) ? undefined : `"${printable(value)}" is not a site name`,
});
