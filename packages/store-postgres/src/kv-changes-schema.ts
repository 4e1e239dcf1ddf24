/**
 * The schema step of store changes (see kv-changes.ts): a write to a watched `kv` namespace sends a NOTIFY in its
 * own transaction, so a listener hears of it exactly when the write is visible (PostgreSQL delivers notifications at
 * COMMIT, and drops them with a ROLLBACK).
 * @module
 */

/** The NOTIFY channel; the payload is the namespace as `kv` stores it (JSON-encoded). */
export const KV_CHANNEL = "switchboard_kv";

/**
 * - `kv_watched`: the namespaces some instance follows (each instance adds the ones it watches; a write to any
 *   other namespace sends nothing, so plugin data costs no notification).
 * - A trigger on `kv` (after INSERT, UPDATE or DELETE of a row of a watched namespace) calls
 *   `pg_notify('switchboard_kv', namespace)` — whoever wrote, through whichever code path.
 */
export const KV_CHANGES_SQL = `
  CREATE TABLE kv_watched (namespace text PRIMARY KEY);
  CREATE FUNCTION kv_notify() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    ns text := CASE WHEN TG_OP = 'DELETE' THEN OLD.namespace ELSE NEW.namespace END;
  BEGIN
    IF EXISTS (SELECT 1 FROM kv_watched WHERE namespace = ns) THEN
      PERFORM pg_notify('${KV_CHANNEL}', ns);
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER kv_notify AFTER INSERT OR UPDATE OR DELETE ON kv
    FOR EACH ROW EXECUTE FUNCTION kv_notify();
`;
