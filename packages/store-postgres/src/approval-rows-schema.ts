/**
 * The schema step of approvals as rows (see approval-rows.ts): a row per job waiting for approval, a row per vote,
 * and the triggers that keep them honest whatever the caller checked.
 * @module
 */

/**
 * - `approval_jobs`: one row per job that waited for approval — what any instance needs to check an approver
 *   (requester, requirements, digest, expiry in DB time), the instance holding the job, and its status:
 *   `waiting` → `approved` (enough votes) → `running` (started by its holder, once) → `done`; or `closed` (refused,
 *   withdrawn, expired) or `abandoned` (its holder stopped).
 * - `approval_votes`: one row per approver per job (primary key: the same person counts once); a trigger refuses a
 *   vote by the requester and a vote on a job that is not waiting.
 * - A trigger on `inbound` (the claim that doubles as the job row) carries its end to the approval row: `done` when
 *   the job's outcome is written, `abandoned` when the reaper abandons the claims of a dead instance — so a waiting
 *   job dies with its instance and is never run elsewhere.
 */
export const APPROVAL_ROWS_SQL = `
  CREATE TABLE approval_jobs (
    job_id text PRIMARY KEY,
    instance text NOT NULL,
    requester text NOT NULL,
    requester_name text NOT NULL,
    command text NOT NULL,
    network text NOT NULL,
    room text NOT NULL,
    digest text NOT NULL,
    rule text NOT NULL,
    permission text NOT NULL,
    needed int NOT NULL CHECK (needed >= 1),
    requirements jsonb NOT NULL,
    verified_device boolean NOT NULL,
    expires_at timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'waiting'
      CHECK (status IN ('waiting', 'approved', 'running', 'done', 'closed', 'abandoned')),
    outcome text CHECK (outcome IN ('rejected', 'expired', 'cancelled', 'failed')),
    closed_by text,
    note text,
    created_at timestamptz NOT NULL DEFAULT now(),
    changed_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX approval_jobs_live ON approval_jobs (instance) WHERE status IN ('waiting', 'approved', 'running');

  CREATE TABLE approval_votes (
    job_id text NOT NULL REFERENCES approval_jobs (job_id) ON DELETE CASCADE,
    approver text NOT NULL,
    name text NOT NULL,
    roles jsonb NOT NULL,
    n bigserial,
    voted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, approver)
  );

  CREATE FUNCTION approval_vote_allowed() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    job approval_jobs;
  BEGIN
    SELECT * INTO job FROM approval_jobs WHERE job_id = NEW.job_id;
    IF job.requester = NEW.approver THEN
      RAISE EXCEPTION 'the requester of job % cannot approve it', NEW.job_id;
    END IF;
    IF job.status IS DISTINCT FROM 'waiting' THEN
      RAISE EXCEPTION 'job % is not waiting for approval', NEW.job_id;
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER approval_vote_allowed BEFORE INSERT OR UPDATE ON approval_votes
    FOR EACH ROW EXECUTE FUNCTION approval_vote_allowed();

  CREATE FUNCTION approval_follows_claim() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.status = 'abandoned' THEN
      UPDATE approval_jobs SET status = 'abandoned', changed_at = now()
      WHERE job_id = NEW.job_id AND instance = NEW.instance AND status IN ('waiting', 'approved', 'running');
    ELSIF NEW.status = 'done' THEN
      UPDATE approval_jobs SET status = 'done', changed_at = now()
      WHERE job_id = NEW.job_id AND instance = NEW.instance AND status = 'running';
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER approval_follows_claim AFTER UPDATE OF status ON inbound
    FOR EACH ROW WHEN (NEW.job_id IS NOT NULL AND NEW.status IS DISTINCT FROM OLD.status)
    EXECUTE FUNCTION approval_follows_claim();
`;
