/**
 * What the commands share: backends, aliases, the image store and the render slots.
 * @module
 */

import { AliasBook } from "./aliases.js";
import type { MetricsBackend } from "./backends/backend.js";
import { createBackends } from "./backends/index.js";
import type { MetricsConfig } from "./config.js";
import { ChartImages, signingKey } from "./images.js";
import { Slots } from "./slots.js";

/** The plugin's state, created once per bot by setup. */
export interface MetricsState {
  config: MetricsConfig;
  backends: Map<string, MetricsBackend>;
  defaultBackend: MetricsBackend;
  aliases: AliasBook;
  /** Present when `images.publicUrl` is configured. */
  images?: ChartImages;
  renders: Slots;
}

/** Builds the state for a validated configuration. Throws when the image signing key is configured but unusable. */
export function createState(config: MetricsConfig): MetricsState {
  const backends = createBackends(config);
  const defaultName = config.defaultBackend ?? Object.keys(config.backends)[0]!;
  const { publicUrl } = config.images;
  return {
    config,
    backends,
    defaultBackend: backends.get(defaultName)!,
    aliases: new AliasBook(config),
    ...(publicUrl
      ? {
          images: new ChartImages({
            key: signingKey(config.images.signingKeyEnv),
            publicUrl,
            path: config.images.path,
            ttlMs: config.images.ttl,
            maxImages: config.images.maxImages,
            maxBytes: config.images.maxBytes,
          }),
        }
      : {}),
    renders: new Slots(config.maxConcurrentRenders),
  };
}
