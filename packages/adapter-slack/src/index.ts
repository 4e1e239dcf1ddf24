/**
 * `@switchboard/adapter-slack`.
 * @module
 */
export {};
