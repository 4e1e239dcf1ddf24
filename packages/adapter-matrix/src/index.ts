/**
 * `@switchboard/adapter-matrix`: run a Switchboard bot on a Matrix homeserver (matrix-js-sdk, Rust crypto).
 * @module
 */
export { quietCrypto, quietSdk } from "./client.js";
export { MatrixAdapter } from "./matrix-adapter.js";
export { encryptAttachment, pngSize } from "./media.js";
export { type InvitePolicy, type MatrixAdapterOptions, matchesAny } from "./options.js";
export { blockHtml, escapeHtml, renderMessage, statusColours } from "./render-html.js";
