/**
 * `@switchboard/plugin-metrics`: charts from Prometheus and Graphite, drawn by the bot (ECharts + resvg, loaded on
 * first use) and posted into chat, with a sparkline fallback for IRC and plain text. The default export is the
 * plugin (`bot.use(metrics, config)`, or `plugins: { metrics: … }` in the switchboard configuration).
 * @module
 */
import { metricsPlugin } from "./plugin.js";

export default metricsPlugin;
