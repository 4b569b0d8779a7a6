// Baseline files: the findings a team has accepted, so CI fails only on new ones.
//
// A native entry is the fingerprint of (rule, secret, path): moving a line keeps it, a
// different secret on the same line does not match it. Its path is relative to the repository
// root (format 2), so a baseline made at the root holds from any subdirectory.
//
// Entries imported from another scanner's baseline cannot know nhi's rule ids, so they match
// whatever rule finds the same secret in the same file: (path, SHA-256 of the secret) from a
// gitleaks report, (path, SHA-1 of the secret) from a detect-secrets baseline, and (path, line)
// from a gitleaks report run with --redact, which holds no secret to hash.
#pragma once
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "util/expected.hpp"

namespace nhi::rules {

enum class EntryKind { Native, Sha256, Sha1, Line };

/// The name a kind has in the file and in messages ("fingerprint", "sha256", "sha1", "line").
const char* entry_kind_name(EntryKind k);

struct BaselineEntry {
    EntryKind kind = EntryKind::Native;
    std::string fingerprint;  // native: db::fingerprint(rule, secret sha256, path)
    std::string rule;         // native: nhi's rule id; imported: the other tool's rule or type, for people
    std::string path;         // relative to the repository root (legacy entries: to the root scanned)
    std::string hash;         // Sha256, Sha1: lower-case hex of the secret's digest
    size_t line = 0;          // Line: 1-based
    std::string source;       // imported: "gitleaks" or "detect-secrets"
    // A native entry from a format-1 file: its fingerprint was made with the path relative to
    // whatever directory was scanned then, which may not have been the repository root.
    bool legacy = false;

    // Identity: a native entry is its fingerprint; an imported one is what it matches on.
    bool operator<(const BaselineEntry& o) const {
        if (kind != o.kind) return kind < o.kind;
        if (kind == EntryKind::Native) return fingerprint < o.fingerprint;
        return std::tie(path, hash, line) < std::tie(o.path, o.hash, o.line);
    }
};

/// A finding as a baseline sees it (built by the command line from a db::Finding).
struct BaselineKey {
    std::string fingerprint;       // with the path relative to the repository root
    std::string scan_fingerprint;  // with the path relative to the root scanned (legacy entries)
    std::string path;              // relative to the repository root
    std::string secret_sha256;
    std::string secret_sha1;       // empty when the plaintext was not in memory
    size_t line = 0;
};

struct Baseline {
    std::set<BaselineEntry> entries;
    /// Adds `e`; false when an entry with the same identity was there (a legacy entry is
    /// replaced by a native one with the same fingerprint).
    bool add(BaselineEntry e);
    /// The entry that accepts the finding, or nullptr: a native fingerprint first, then the
    /// imported kinds.
    const BaselineEntry* match(const BaselineKey& k) const;
    /// Whether an entry accepts the finding.
    bool contains(const BaselineKey& k) const { return match(k) != nullptr; }
    /// Whether any entry matches on the SHA-1 of the secret (only then is it worth computing).
    bool needs_sha1() const;
    /// How many entries there are of `kind`.
    size_t count(EntryKind kind) const;
};

/// Reads a baseline file (format 1 or 2); fails with the path and what is wrong, and on a
/// format newer than this nhi reads.
util::Expected<Baseline> load_baseline(const std::string& path);

/// Writes the baseline (format 2) atomically (temp file + rename), sorted so diffs stay small.
util::Status write_baseline(const std::string& path, const Baseline& baseline);

// ---- Importing another scanner's baseline -------------------------------------------------

enum class ImportFormat { Auto, Gitleaks, DetectSecrets };

struct ImportResult {
    ImportFormat format = ImportFormat::Auto;  // the one read (never Auto)
    std::vector<BaselineEntry> entries;
    size_t redacted = 0;  // gitleaks entries whose secret was redacted: matched by (path, line)
    // Entries not imported, by why ("no File", ...): each count is one warning.
    std::map<std::string, size_t> malformed;
    std::map<std::string, std::vector<size_t>> malformed_at;  // the first few entry numbers (1-based)
};

/// The name of a format as the command line spells it.
const char* import_format_name(ImportFormat f);

/// Reads a gitleaks JSON report or a detect-secrets baseline (`Auto`: whichever the file is).
/// Paths in it are taken as relative to the repository root `repo_root` (an absolute path
/// under it is made relative; one outside it is malformed). Fails with the path and why when
/// the file is not such a report at all.
util::Expected<ImportResult> import_baseline(const std::string& path, ImportFormat format,
                                             const std::string& repo_root);

}  // namespace nhi::rules
