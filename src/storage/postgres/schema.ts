/**
 * The database layout, as numbered migrations. Each store lives in its own PostgreSQL schema (a
 * namespace, `theus` by default), so several applications or test runs can share one database.
 * The SQL is built from the schema name once it has been validated as a plain identifier.
 */

export const SCHEMA_VERSION = 1;

/** Lowercase identifiers only: they are spliced into SQL, so nothing else is accepted. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,40}$/;

/** A 63-bit advisory lock key per schema, for the priority lane and for migrations. */
export function lockKey(schema: string, purpose: 'lane' | 'migrate' | 'maintain'): bigint {
  let h = 0xcbf29ce484222325n;
  for (const ch of `${purpose}:${schema}`) {
    h ^= BigInt(ch.codePointAt(0)!);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h & 0x7fffffffffffffffn;
}

export function channelName(schema: string): string {
  return `${schema}_commits`;
}

/**
 * The commit: one call, one round trip, one transaction at READ COMMITTED.
 *
 * Why READ COMMITTED with a locked head row rather than SERIALIZABLE with retry: versions are
 * gapless, so every commit must update the one head row and commits serialize there whatever the
 * isolation level. Under SERIALIZABLE two concurrent commits always collide on that row and the
 * later one fails with a serialization error and pays a full extra round trip; at READ COMMITTED
 * it simply waits for the row lock and, once it has it, every statement sees all earlier commits,
 * so the per-path checks read exactly the committed versions. The benchmark suite measures both
 * (bench/suites/postgres.mjs): with 4 engines SERIALIZABLE ran at 0.5–0.75x the READ COMMITTED
 * rate, paying hundreds of serialization retries per second; with 1 engine they are equal.
 *
 * Path rows need no locks of their own: they are only read and written under the head lock.
 * Each path row keeps the last version that wrote exactly that key (v_exact) and the last version
 * that wrote something below it (v_below): a touched key conflicts when either is newer than the
 * commit's snapshot, and an ancestor of a touched key conflicts when it was written itself.
 *
 * Idempotency: a commit id that is already in the log returns its original version. The check
 * runs after the head lock, so a first attempt still running on a dropped connection has either
 * committed (found) or rolled back (applied now), never both.
 */
function commitFunction(s: string): string {
  const lane = lockKey(s, 'lane').toString();
  return `
CREATE OR REPLACE FUNCTION ${s}.commit_batch(req jsonb) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
  cur bigint;
  startv bigint;
  e jsonb;
  base bigint;
  done bigint;
  hits jsonb;
  out jsonb := '[]'::jsonb;
BEGIN
  -- The priority lane: a process holding it (exclusively) makes every other commit wait here.
  PERFORM pg_advisory_xact_lock_shared(${lane});
  SELECT version INTO cur FROM ${s}.head WHERE id = 1 FOR UPDATE;
  IF cur IS NULL THEN RAISE EXCEPTION 'theus: the store is not initialised'; END IF;
  startv := cur;
  FOR e IN SELECT value FROM jsonb_array_elements(req) LOOP
    SELECT version INTO done FROM ${s}.commits WHERE id = e->>'i';
    IF FOUND THEN
      out := out || jsonb_build_array(jsonb_build_object('ok', true, 'v', done));
      CONTINUE;
    END IF;
    base := (e->>'b')::bigint;
    hits := NULL;
    IF base > cur THEN
      hits := '["*"]'::jsonb;
    ELSIF base < cur THEN
      IF (e->>'s')::boolean THEN
        hits := '["*"]'::jsonb;
      ELSE
        SELECT jsonb_agg(q.k) INTO hits FROM (
          SELECT t.k FROM jsonb_array_elements_text(e->'t') AS t(k) JOIN ${s}.paths p ON p.key = t.k
           WHERE p.v_exact > base OR p.v_below > base
          UNION ALL
          SELECT a.k FROM jsonb_array_elements_text(e->'ta') AS a(k) JOIN ${s}.paths p ON p.key = a.k
           WHERE p.v_exact > base
        ) q;
      END IF;
    END IF;
    IF hits IS NOT NULL THEN
      out := out || jsonb_build_array(jsonb_build_object('ok', false, 'a', cur, 'p', hits));
      CONTINUE;
    END IF;
    cur := cur + 1;
    INSERT INTO ${s}.commits (version, id, process, ops, signals, at)
      VALUES (cur, e->>'i', e->>'p', e->>'o', e->>'g', (e->>'a')::bigint);
    INSERT INTO ${s}.paths (key, v_exact) SELECT w.k, cur FROM jsonb_array_elements_text(e->'w') AS w(k)
      ON CONFLICT (key) DO UPDATE SET v_exact = excluded.v_exact;
    INSERT INTO ${s}.paths (key, v_below) SELECT w.k, cur FROM jsonb_array_elements_text(e->'wa') AS w(k)
      ON CONFLICT (key) DO UPDATE SET v_below = excluded.v_below;
    IF jsonb_array_length(e->'x') > 0 THEN
      INSERT INTO ${s}.outbox (version, topic, payload)
        SELECT cur, m.value->>0, m.value->>1 FROM jsonb_array_elements(e->'x') WITH ORDINALITY AS m(value, n) ORDER BY m.n;
    END IF;
    out := out || jsonb_build_array(jsonb_build_object('ok', true, 'v', cur));
  END LOOP;
  IF cur > startv THEN
    UPDATE ${s}.head SET version = cur WHERE id = 1;
    PERFORM pg_notify('${channelName(s)}', cur::text);
  END IF;
  RETURN out;
END
$fn$;`;
}

/** Migration n brings the schema from version n - 1 to n. */
export function migrations(s: string): string[] {
  return [
    `
CREATE TABLE ${s}.head (id int PRIMARY KEY CHECK (id = 1), version bigint NOT NULL);
CREATE TABLE ${s}.commits (
  version bigint PRIMARY KEY,
  id text NOT NULL UNIQUE,
  process text,
  ops text NOT NULL,
  signals text NOT NULL,
  at bigint NOT NULL,
  committed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE ${s}.paths (key text PRIMARY KEY, v_exact bigint NOT NULL DEFAULT 0, v_below bigint NOT NULL DEFAULT 0);
CREATE TABLE ${s}.outbox (
  id bigserial PRIMARY KEY,
  version bigint NOT NULL,
  topic text NOT NULL,
  payload text NOT NULL,
  attempts int NOT NULL DEFAULT 0,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'dead')),
  available_at timestamptz NOT NULL DEFAULT now(),
  lease_owner text,
  lease_until timestamptz,
  error text,
  failed_at timestamptz
);
CREATE INDEX outbox_pending ON ${s}.outbox (id) WHERE state = 'pending';
CREATE TABLE ${s}.snapshots (version bigint PRIMARY KEY, root text NOT NULL, taken_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE ${s}.engines (id text PRIMARY KEY, applied bigint NOT NULL, heartbeat timestamptz NOT NULL DEFAULT now());
${commitFunction(s)}
`,
  ];
}
