/**
 * A delivery's `response_url` cannot point the bot at an address of the sender's choosing: only Slack's own hook
 * hosts (https, default port), or the origin of the configured `apiUrl` (a test server or a proxy), are used.
 */
import { describe, expect, it } from "vitest";
import { trustedResponseUrl } from "../src/response-urls.js";

const API = "https://slack.com/api/";

describe("response_url hosts", () => {
  it("takes Slack's hook URLs", () => {
    const url = "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN";
    expect(trustedResponseUrl(url, API)).toBe(url);
    expect(trustedResponseUrl("https://hooks.slack-gov.com/actions/T1/2/x", API)).toMatch(
      /^https:\/\/hooks\.slack-gov/,
    );
  });

  it("refuses anything else: internal services, metadata endpoints, look-alikes, http, ports, credentials", () => {
    for (const url of [
      "http://169.254.169.254/latest/meta-data/",
      "http://127.0.0.1:8080/hooks/github",
      "https://hooks.slack.com.evil.example/commands/x",
      "https://evilhooks.slack.com.example/x",
      "http://hooks.slack.com/commands/x",
      "https://hooks.slack.com:8443/commands/x",
      "https://user:pw@hooks.slack.com/commands/x",
      "javascript:alert(1)",
      "not a url",
    ])
      expect(trustedResponseUrl(url, API), url).toBeUndefined();
    expect(trustedResponseUrl(undefined, API)).toBeUndefined();
  });

  it("takes the configured apiUrl's origin (the fake Slack server in tests, a proxy in front of Slack)", () => {
    expect(trustedResponseUrl("http://127.0.0.1:4001/respond/abc", "http://127.0.0.1:4001/api/")).toBe(
      "http://127.0.0.1:4001/respond/abc",
    );
    expect(trustedResponseUrl("http://127.0.0.1:4002/respond/abc", "http://127.0.0.1:4001/api/")).toBeUndefined();
  });
});
