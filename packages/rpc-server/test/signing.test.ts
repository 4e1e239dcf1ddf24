import { describe, expect, it } from "vitest";
import { parseSignatureHeader, RequestVerifier, signingString, signString, verifyString } from "../src/index.js";
import { specKeys } from "./helpers.js";

// The test vector of docs/protocol-description.md (github/chatops-controller), line breaks removed.
const SPEC_STRING = "http://test.host/_chatops\n889c9543c22695bc031f723ef2fd28ef1fbed6b0\n2017-06-28T22:51:41Z\n";
const SPEC_SIGNATURE = [
  "trtOLqLMKzCohxT6Uzeqs+n5Q1msTQUIO4GDl0pyyyTea5MOte6dIQ+k9AlY",
  "HOJ2IHTxGHVhDYJTm2AtgHOEZqrLpqOLqORj64HbwIWtTyuRBUmUmzHWMJKH",
  "a6jy4u9aB8VgSKxE7oDHU6Zo/7kGvqvTBSumF2kMaSjkMXhkUd5WmuQGWpPJ",
  "5hC0W65alCJU1inQQDZDgj1oH/849zZB3WU8Ne61BMM1Qb4IcljDU6UciGyP",
  "OgXRNSALvgKdCSJyhLhHBxYvuypCjUpgiWKm4h3u0GOpem8NoBXLjeEHT4fR",
  "wJYP8hmQWauUgOmjvKt2wufykHZDZNp4fPwkm6qGKg==",
].join("");

describe("the spec's test vector", () => {
  it("is the signing string of a GET of http://test.host/_chatops", () => {
    expect(
      signingString(
        "http://test.host/_chatops",
        "889c9543c22695bc031f723ef2fd28ef1fbed6b0",
        "2017-06-28T22:51:41Z",
        "",
      ),
    ).toBe(SPEC_STRING);
  });

  it("verifies with the spec's example public key", () => {
    expect(verifyString(specKeys.publicKey, SPEC_STRING, SPEC_SIGNATURE)).toBe(true);
  });

  it("is reproduced byte for byte by signing with the spec's example private key (PKCS#1 v1.5 is deterministic)", () => {
    expect(signString(specKeys.privateKey, SPEC_STRING)).toBe(SPEC_SIGNATURE);
  });

  it("does not verify a changed string", () => {
    expect(verifyString(specKeys.publicKey, SPEC_STRING.replace("test.host", "test.hosts"), SPEC_SIGNATURE)).toBe(
      false,
    );
  });

  it("passes the verifier at its time, with the URL rebuilt from the base URL and the path", () => {
    const verifier = new RequestVerifier({
      baseUrls: ["http://test.host/"],
      publicKeys: { rsakey1: specKeys.publicKey },
      now: () => Date.parse("2017-06-28T22:52:00Z"),
    });
    const headers = {
      "chatops-nonce": "889c9543c22695bc031f723ef2fd28ef1fbed6b0",
      "chatops-timestamp": "2017-06-28T22:51:41Z",
      "chatops-signature": `Signature keyid=rsakey1,signature=${SPEC_SIGNATURE}`,
    };
    expect(verifier.verify({ path: "/_chatops", headers, body: "" })).toEqual({ ok: true, keyId: "rsakey1" });
    // the same request again is a replay
    expect(verifier.verify({ path: "/_chatops", headers, body: "" })).toMatchObject({ ok: false, code: -32800 });
  });
});

describe("the signature header", () => {
  it("parses keyid and signature", () => {
    expect(parseSignatureHeader("Signature keyid=rsakey1,signature=abc+/=")).toEqual({
      keyId: "rsakey1",
      signature: "abc+/=",
    });
  });

  it("refuses headers without the Signature word or a base64 signature", () => {
    expect(parseSignatureHeader(undefined)).toBeUndefined();
    expect(parseSignatureHeader("keyid=a,signature=abc")).toBeUndefined();
    expect(parseSignatureHeader("Signature keyid=a")).toBeUndefined();
    expect(parseSignatureHeader("Signature keyid=a,signature=not base64!")).toBeUndefined();
  });
});
