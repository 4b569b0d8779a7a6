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
    };
    return steps;
}

}  // namespace nhi::db
