/**
 * Webhook delivery dedupe shared by every instance: GitHub (`X-GitHub-Delivery`), Alertmanager, PagerDuty and
 * generic webhooks can be sent to any instance behind a load balancer, and a redelivery is acted on once.
 * @module
 */
import type pg from "pg";

/**
 * Claims a delivery: true for the first instance to see (`source`, `deliveryId`), false for every later one (a
 * retry, a replay, the same delivery through another instance). Call it before acting on the delivery; when it is
 * done in the transaction that records the delivery, pass that transaction's client.
 */
export async function claimDelivery(
  db: pg.Pool | pg.ClientBase,
  instance: string,
  source: string,
  deliveryId: string,
): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO webhook_deliveries (source, delivery_id, instance) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [source, deliveryId, instance],
  );
  return (result.rowCount ?? 0) > 0;
}
