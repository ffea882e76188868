/**
 * Event bodies (`data`, `metadata`) are stored as `json`, the text as written, instead of `jsonb`. Nothing
 * queries inside a body on any hot path; every reader parses the whole body. `jsonb` made Postgres parse each
 * body into its binary form on insert and print it back as text for every reader (six or seven per event);
 * `json` only checks the text on insert and sends it back as it is (docs/benchmarks.md, "Sixth round").
 * The `->`/`->>` operators work on both types. Rewrites the table once, under its lock; the triggers that
 * refuse UPDATE and DELETE do not fire for a rewrite, and every event keeps its position, transaction and id.
 * Bodies written before it keep jsonb's key order and spacing; readers compare objects, never text.
 */
export const jsonBodiesMigration = {
  version: 6,
  name: 'json_bodies',
  sql: `
ALTER TABLE events
  ALTER COLUMN data TYPE json USING data::json,
  ALTER COLUMN metadata DROP DEFAULT,
  ALTER COLUMN metadata TYPE json USING metadata::json,
  ALTER COLUMN metadata SET DEFAULT '{}'::json;
`,
};
