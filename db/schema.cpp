#include "db/schema.hpp"

namespace nhi::db {

const std::vector<std::string>& migrations() {
    static const std::vector<std::string> steps = {
        // 1: scans. A finding is one secret for one rule (dedup across places); an
        // occurrence is where it was seen in one run. Secrets are kept only as SHA-256 and
        // a redacted preview; `secret` stays NULL unless --store-secrets.
        R"sql(
CREATE TABLE run (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,              -- scan | import
  source TEXT NOT NULL,            -- what was scanned or imported
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL DEFAULT 'running',  -- running | ok | failed
  tool_version TEXT NOT NULL,
  rules_hash TEXT,
  stats TEXT                        -- JSON counters
);
CREATE TABLE finding (
  id INTEGER PRIMARY KEY,
  rule_id TEXT NOT NULL,
  secret_sha256 TEXT NOT NULL,
  redacted TEXT NOT NULL,
  secret TEXT,
  first_run INTEGER NOT NULL REFERENCES run(id),
  UNIQUE (rule_id, secret_sha256)
);
CREATE TABLE occurrence (
  id INTEGER PRIMARY KEY,
  finding_id INTEGER NOT NULL REFERENCES finding(id),
  run_id INTEGER NOT NULL REFERENCES run(id),
  path TEXT NOT NULL,
  line INTEGER NOT NULL,
  col INTEGER NOT NULL,
  fingerprint TEXT NOT NULL,
  commit_id TEXT,
  author TEXT,
  date TEXT,
  UNIQUE (run_id, finding_id, path, line, col)
);
CREATE INDEX occurrence_finding ON occurrence(finding_id);
CREATE INDEX occurrence_fingerprint ON occurrence(fingerprint);
)sql",
        // 2: git history. A blob is scanned once per rules hash (`blob`); what it holds is
        // kept per blob (`blob_match`), so a rescan reads no blob again yet reports the
        // same findings; `blob_origin` is where a repository first introduced the blob.
        // `repo_tip` remembers each scanned ref's commit (and the rules it was scanned with) so a
        // rescan can walk only the new commits.
        R"sql(
ALTER TABLE finding ADD COLUMN hints TEXT;  -- JSON facts a validator decoded (never the secret)
-- Rule sets by content hash; blobs refer to the small id (a history has 100,000s of blobs).
CREATE TABLE rules_version (
  id INTEGER PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE
);
CREATE TABLE blob (
  oid BLOB NOT NULL,          -- the 20-byte git object id
  rules INTEGER NOT NULL REFERENCES rules_version(id),
  size INTEGER NOT NULL,
  status INTEGER NOT NULL,    -- 0 scanned, 1 binary, 2 too large, 3 unreadable
  matches INTEGER NOT NULL,   -- rows in blob_match
  PRIMARY KEY (oid, rules)
) WITHOUT ROWID;
CREATE TABLE blob_match (
  oid BLOB NOT NULL,
  rules INTEGER NOT NULL,
  finding_id INTEGER NOT NULL REFERENCES finding(id),
  line INTEGER NOT NULL,
  col INTEGER NOT NULL,
  PRIMARY KEY (oid, rules, finding_id, line, col)
) WITHOUT ROWID;
CREATE TABLE blob_origin (
  oid BLOB NOT NULL,
  repo TEXT NOT NULL,
  commit_id TEXT NOT NULL,
  path TEXT NOT NULL,
  author TEXT,
  author_email TEXT,
  date TEXT,
  committer TEXT,
  PRIMARY KEY (repo, oid)
) WITHOUT ROWID;
CREATE TABLE repo_tip (
  repo TEXT NOT NULL,
  ref TEXT NOT NULL,
  commit_id TEXT NOT NULL,
  rules_hash TEXT NOT NULL,
  PRIMARY KEY (repo, ref)
) WITHOUT ROWID;
)sql",
        // 3: the inventory. Identities and credentials are keyed by a natural key that every
        // export naming them agrees on; `data` is the merged JSON of what imports said.
        // History: a version row whenever an import changes an entity, a sighting row for every
        // import that saw it, so the inventory as of any run can be rebuilt.
        R"sql(
CREATE TABLE identity (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  provider TEXT NOT NULL,
  kind TEXT NOT NULL,
  actor TEXT NOT NULL,
  name TEXT NOT NULL,
  data TEXT NOT NULL,
  first_run INTEGER NOT NULL REFERENCES run(id),
  changed_run INTEGER NOT NULL REFERENCES run(id)
);
CREATE INDEX identity_provider ON identity(provider, kind);
CREATE TABLE credential (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  identity_id INTEGER NOT NULL REFERENCES identity(id),
  kind TEXT NOT NULL,
  data TEXT NOT NULL,
  match_sha256 TEXT,               -- SHA-256 of the key id or literal secret: joins scan findings
  first_run INTEGER NOT NULL REFERENCES run(id),
  changed_run INTEGER NOT NULL REFERENCES run(id)
);
CREATE INDEX credential_identity ON credential(identity_id);
CREATE INDEX credential_match ON credential(match_sha256);
CREATE TABLE entity_version (
  entity TEXT NOT NULL,            -- identity | credential
  entity_id INTEGER NOT NULL,
  run_id INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (entity, entity_id, run_id)
) WITHOUT ROWID;
CREATE TABLE sighting (
  run_id INTEGER NOT NULL,
  entity TEXT NOT NULL,
  entity_id INTEGER NOT NULL,
  PRIMARY KEY (run_id, entity, entity_id)
) WITHOUT ROWID;
CREATE TABLE owner (
  identity_id INTEGER NOT NULL REFERENCES identity(id),
  source TEXT NOT NULL,            -- explicit | export | codeowners | git-author
  owner TEXT NOT NULL,
  detail TEXT,                     -- which tag, label or file said so
  run_id INTEGER,
  PRIMARY KEY (identity_id, source)
) WITHOUT ROWID;
CREATE TABLE annotation (
  id INTEGER PRIMARY KEY,
  identity_id INTEGER NOT NULL REFERENCES identity(id),
  kind TEXT NOT NULL,              -- accepted-risk | false-positive | note
  reason TEXT NOT NULL,
  expires TEXT,
  created_at TEXT NOT NULL
);
CREATE TABLE link (
  credential_id INTEGER NOT NULL REFERENCES credential(id),
  finding_id INTEGER NOT NULL REFERENCES finding(id),
  via TEXT NOT NULL,               -- key-id | secret
  PRIMARY KEY (credential_id, finding_id)
) WITHOUT ROWID;
)sql",
        // 4: owners keep their history. An export that stops naming an owner ends that owner
        // (ended_run) rather than deleting it, so `report diff` and `--run N` see who owned what
        // then. One current row per identity and source.
        R"sql(
CREATE TABLE owner_v4 (
  id INTEGER PRIMARY KEY,
  identity_id INTEGER NOT NULL REFERENCES identity(id),
  source TEXT NOT NULL,            -- explicit | export | codeowners | git-author
  owner TEXT NOT NULL,
  detail TEXT,                     -- which tag, label or file said so
  run_id INTEGER,                  -- the run that first said so; NULL when set by hand
  ended_run INTEGER                -- the first run where it no longer held; NULL while current
);
INSERT INTO owner_v4(identity_id, source, owner, detail, run_id) SELECT identity_id, source, owner, detail, run_id FROM owner;
DROP TABLE owner;
ALTER TABLE owner_v4 RENAME TO owner;
CREATE UNIQUE INDEX owner_current ON owner(identity_id, source) WHERE ended_run IS NULL;
CREATE INDEX owner_identity ON owner(identity_id);
)sql",
        // 5: secrets inside archive blobs and encoded spans. A blob's match names the entry it
        // is in (the "!entry" chain, part of its key: one archive can hold the same secret at
        // the same line of two entries) and the decoders on the way. Blobs were scanned without
        // unpacking before: their records go, so the next scan reads them again.
        R"sql(
DROP TABLE blob_match;
CREATE TABLE blob_match (
  oid BLOB NOT NULL,
  rules INTEGER NOT NULL,
  finding_id INTEGER NOT NULL REFERENCES finding(id),
  entry TEXT NOT NULL DEFAULT '',     -- "!entry" chain inside an archive blob
  encoding TEXT NOT NULL DEFAULT '',  -- decoders on the way: base64, utf-16le, ...
  line INTEGER NOT NULL,
  col INTEGER NOT NULL,
  PRIMARY KEY (oid, rules, finding_id, entry, line, col)
) WITHOUT ROWID;
DELETE FROM blob;
DELETE FROM repo_tip;
ALTER TABLE occurrence ADD COLUMN encoding TEXT;
)sql",
        // 6: live validation outcomes (nhi scan --validate, nhi validate). Keyed like a
        // finding, by (rule_id, secret_sha256), with history: each check adds a row and the
        // latest (highest id) wins. Only what the provider answered is kept (status, HTTP
        // status, reason, the identity fields it named), never the secret. A link made from a
        // live outcome's identity fields has via = 'validation'.
        R"sql(
CREATE TABLE validation (
  id INTEGER PRIMARY KEY,
  rule_id TEXT NOT NULL,
  secret_sha256 TEXT NOT NULL,
  status TEXT NOT NULL,            -- live | revoked | unknown | error
  checked_at TEXT NOT NULL,        -- ISO 8601 UTC, when the answer came
  http_status INTEGER NOT NULL DEFAULT 0,  -- 0: no HTTP answer
  reason TEXT,                     -- unknown/error: why ("timeout", "rate limited", ...)
  identity TEXT,                   -- JSON: login, account, arn, scopes, expires_at, ...
  run_id INTEGER REFERENCES run(id)  -- the scan or nhi validate run that checked it
);
CREATE INDEX validation_finding ON validation(rule_id, secret_sha256, id);
)sql",
        // 7: an annotation is made in a run of its own (kind annotate), so a report as of an
        // earlier run or time, and `report diff` from a review before it, do not see it yet.
        // Annotations made before this migration have no run: they count in every view, as
        // they did.
        R"sql(
ALTER TABLE annotation ADD COLUMN run_id INTEGER REFERENCES run(id);
)sql",
    };
    return steps;
}

}  // namespace nhi::db
