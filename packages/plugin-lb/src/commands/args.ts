/**
 * Argument definitions shared by the lb commands; every name typed in chat is checked here before anything else.
 * @module
 */
import { arg } from "@switchboard/core";
import { nameProblem } from "../names.js";

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
});
