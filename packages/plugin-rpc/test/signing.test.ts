import { createPublicKey, createVerify } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { authHeaders } from "../src/index.js";
import { loadClientKey, signingString, signString } from "../src/signer.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

// The test vector of docs/protocol-description.md (github/chatops-controller), line breaks removed.
const SPEC_SIGNATURE =
  "trtOLqLMKzCohxT6Uzeqs+n5Q1msTQUIO4GDl0pyyyTea5MOte6dIQ+k9AlYHOJ2IHTxGHVhDYJTm2AtgHOEZqrLpqOLqORj64HbwIWtTyuRBUmU" +
  "mzHWMJKHa6jy4u9aB8VgSKxE7oDHU6Zo/7kGvqvTBSumF2kMaSjkMXhkUd5WmuQGWpPJ5hC0W65alCJU1inQQDZDgj1oH/849zZB3WU8Ne61BMM1" +
  "Qb4IcljDU6UciGyPOgXRNSALvgKdCSJyhLhHBxYvuypCjUpgiWKm4h3u0GOpem8NoBXLjeEHT4fRwJYP8hmQWauUgOmjvKt2wufykHZDZNp4fPwkm6qGKg==";

describe("the client's signer", () => {
  const key = loadClientKey("rsakey1", fixture("spec-private-key.pem"));

  it("reproduces the spec's test vector with the spec's example private key", () => {
    const text = signingString(
      "http://test.host/_chatops",
      "889c9543c22695bc031f723ef2fd28ef1fbed6b0",
      "2017-06-28T22:51:41Z",
      "",
    );
    expect(text).toBe("http://test.host/_chatops\n889c9543c22695bc031f723ef2fd28ef1fbed6b0\n2017-06-28T22:51:41Z\n");
    expect(signString(key, text)).toBe(SPEC_SIGNATURE);
  });

  it("makes headers the spec's example public key verifies: fresh nonce, UTC second timestamp, keyid", () => {
    const now = new Date("2026-12-07T10:11:12.345Z");
    const a = authHeaders(key, "https://ops.example.test/_chatops/restart", '{"user":"alice"}', now);
    const b = authHeaders(key, "https://ops.example.test/_chatops/restart", '{"user":"alice"}', now);
    expect(a["Chatops-Timestamp"]).toBe("2026-12-07T10:11:12Z");
    expect(Buffer.from(a["Chatops-Nonce"]!, "base64")).toHaveLength(32);
    expect(a["Chatops-Nonce"]).not.toBe(b["Chatops-Nonce"]);
    const [, keyId, signature] = /^Signature keyid=([^,]+),signature=(.+)$/.exec(a["Chatops-Signature"]!)!;
    expect(keyId).toBe("rsakey1");
    const signed = `https://ops.example.test/_chatops/restart\n${a["Chatops-Nonce"]}\n2026-12-07T10:11:12Z\n{"user":"alice"}`;
    const publicKey = createPublicKey(readFileSync(fixture("spec-public-key.pem"), "utf8"));
    expect(createVerify("RSA-SHA256").update(signed).verify(publicKey, signature!, "base64")).toBe(true);
  });

  it("refuses a file that is not a private key, without printing it", () => {
    expect(() => loadClientKey("k", fixture("spec-public-key.pem"))).toThrow(/is not a PEM private key/);
    expect(() => loadClientKey("k", fixture("missing.pem"))).toThrow(/cannot read .*missing\.pem: ENOENT/);
  });
});
