/**
 * Images: PNG size, and attachment encryption for encrypted rooms (AES-256-CTR + SHA-256, as the Matrix
 * specification's `EncryptedFile` describes), so the homeserver never sees the picture of an encrypted room.
 * @module
 */
import { createCipheriv, createHash, randomBytes } from "node:crypto";

/** Width and height of a PNG, when the data is one. */
export function pngSize(png: Uint8Array): { w: number; h: number } | undefined {
  const signature = [137, 80, 78, 71, 13, 10, 26, 10];
  if (png.length < 24 || signature.some((b, i) => png[i] !== b)) return undefined;
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { w: view.getUint32(16), h: view.getUint32(20) };
}

/** An `EncryptedFile` without its `url` (added after the upload). */
export interface EncryptedFileInfo {
  v: "v2";
  key: { kty: "oct"; key_ops: ["encrypt", "decrypt"]; alg: "A256CTR"; k: string; ext: true };
  iv: string;
  hashes: { sha256: string };
}

const unpadded = (data: Buffer) => data.toString("base64").replace(/=+$/, "");

/** Encrypts an attachment; returns the ciphertext and the info a recipient needs to decrypt it. */
export function encryptAttachment(data: Uint8Array): { ciphertext: Buffer; info: EncryptedFileInfo } {
  const key = randomBytes(32);
  const iv = Buffer.concat([randomBytes(8), Buffer.alloc(8)]);
  const cipher = createCipheriv("aes-256-ctr", key, iv);
  const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
  return {
    ciphertext,
    info: {
      v: "v2",
      key: {
        kty: "oct",
        key_ops: ["encrypt", "decrypt"],
        alg: "A256CTR",
        k: key.toString("base64url"),
        ext: true,
      },
      iv: unpadded(iv),
      hashes: { sha256: unpadded(createHash("sha256").update(ciphertext).digest()) },
    },
  };
}
