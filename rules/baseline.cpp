#include "rules/baseline.hpp"

#include "util/atomic_file.hpp"
#include "util/hash.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

namespace nhi::rules {

namespace {
// Format 2 anchors native paths at the repository root and adds `imported` entries. nhi before
// format 2 refuses a format-2 file ("unsupported baseline format"), which is what it should do:
// it would silently ignore the imported entries and flood CI with the findings they hide.
constexpr int kFormat = 2;
// A baseline is two levels deep, a gitleaks report three (Tags); nlohmann's DOM is freed by
// recursion, so depth is bounded while parsing, before a hostile file 60,000 levels deep
// becomes a tree.
constexpr int kMaxDepth = 64;
constexpr size_t kEntriesNamed = 5;  // entry numbers given per kind of malformed entry

std::string text_of(const nlohmann::json& f, const char* key) {
    auto it = f.find(key);
    return it != f.end() && it->is_string() ? it->get<std::string>() : "";
}

// The file as JSON; `what` names what it should be in the error.
util::Expected<nlohmann::json> read_json(const std::string& path, const std::string& what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return util::Error{path, "cannot read " + what};
    std::ostringstream ss;
    ss << in.rdbuf();
    bool too_deep = false;
    nlohmann::json::parser_callback_t limit = [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
        if (depth > kMaxDepth) too_deep = true;
        return !too_deep;  // once too deep, keep nothing more
    };
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(ss.str(), limit, false);
    } catch (const nlohmann::json::exception&) {
        return util::Error{path, "not JSON; expected " + what};
    }
    if (too_deep) return util::Error{path, "nested more than " + std::to_string(kMaxDepth) + " levels deep; not " + what};
    if (j.is_discarded()) return util::Error{path, "not JSON; expected " + what};
    return j;
}

bool is_hex(const std::string& s, size_t size) {
    return s.size() == size && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::optional<size_t> positive(const nlohmann::json& f, const char* key) {
    auto it = f.find(key);
    if (it == f.end() || !it->is_number_integer() || it->get<int64_t>() < 1) return std::nullopt;
    return static_cast<size_t>(it->get<int64_t>());
}

std::optional<EntryKind> kind_named(const std::string& s) {
    for (auto k : {EntryKind::Sha256, EntryKind::Sha1, EntryKind::Line})
        if (s == entry_kind_name(k)) return k;
    return std::nullopt;
}

// An imported entry of a format-2 file; nullopt when it is not one.
std::optional<BaselineEntry> imported_entry(const nlohmann::json& f) {
    if (!f.is_object()) return std::nullopt;
    auto kind = kind_named(text_of(f, "kind"));
    if (!kind) return std::nullopt;
    BaselineEntry e;
    e.kind = *kind;
    e.path = text_of(f, "path");
    e.rule = text_of(f, "rule");
    e.source = text_of(f, "source");
    if (e.path.empty()) return std::nullopt;
    if (e.kind == EntryKind::Line) {
        auto line = positive(f, "line");
        if (!line) return std::nullopt;
        e.line = *line;
    } else {
        e.hash = lower(text_of(f, entry_kind_name(e.kind)));  // scans give lower-case hex
        if (!is_hex(e.hash, e.kind == EntryKind::Sha256 ? 64 : 40)) return std::nullopt;
    }
    return e;
}
}  // namespace

const char* entry_kind_name(EntryKind k) {
    switch (k) {
        case EntryKind::Native: return "fingerprint";
        case EntryKind::Sha256: return "sha256";
        case EntryKind::Sha1: return "sha1";
        case EntryKind::Line: return "line";
    }
    return "";
}

bool Baseline::add(BaselineEntry e) {
    auto it = entries.find(e);
    if (it == entries.end()) return entries.insert(std::move(e)).second;
    if (it->legacy && !e.legacy) {  // the same fingerprint, now known to be repository-relative
        entries.erase(it);
        entries.insert(std::move(e));
    }
    return false;
}

const BaselineEntry* Baseline::match(const BaselineKey& k) const {
    auto find = [&](const BaselineEntry& probe) -> const BaselineEntry* {
        auto it = entries.find(probe);
        return it == entries.end() ? nullptr : &*it;
    };
    BaselineEntry p;
    p.fingerprint = k.fingerprint;
    if (auto* e = find(p)) return e;
    // Format-1 entries were made with paths relative to the root scanned then: made at the
    // repository root they match above from any subdirectory; made in a subdirectory they match
    // a scan of that same subdirectory here, as they always did.
    if (k.scan_fingerprint != k.fingerprint) {
        p.fingerprint = k.scan_fingerprint;
        if (auto* e = find(p); e && e->legacy) return e;
    }
    p.fingerprint.clear();
    p.path = k.path;
    p.kind = EntryKind::Sha256;
    p.hash = k.secret_sha256;
    if (auto* e = find(p)) return e;
    if (!k.secret_sha1.empty()) {
        p.kind = EntryKind::Sha1;
        p.hash = k.secret_sha1;
        if (auto* e = find(p)) return e;
    }
    p.kind = EntryKind::Line;
    p.hash.clear();
    p.line = k.line;
    return find(p);
}

bool Baseline::needs_sha1() const { return count(EntryKind::Sha1) > 0; }

size_t Baseline::count(EntryKind kind) const {
    return static_cast<size_t>(std::count_if(entries.begin(), entries.end(), [&](const auto& e) { return e.kind == kind; }));
}

util::Expected<Baseline> load_baseline(const std::string& path) {
    TRY_ASSIGN(nlohmann::json j, read_json(path, "a JSON baseline file"));
    if (!j.is_object()) return util::Error{path, "not a JSON baseline file"};
    // Every member is checked for its type before use: value() and get() throw on a mismatch.
    auto format = j.find("nhi_baseline");
    if (format == j.end() || !format->is_number_integer() || format->get<int64_t>() < 1)
        return util::Error{path, "unsupported baseline format (expected \"nhi_baseline\": 1 or 2)"};
    const int64_t version = format->get<int64_t>();
    if (version > kFormat)
        return util::Error{path, "baseline format " + std::to_string(version) + " is newer than this nhi reads (1 and 2); "
                                 "upgrade nhi"};
    auto findings = j.find("findings");
    if (findings == j.end() || !findings->is_array()) return util::Error{path, "missing `findings` list"};
    Baseline b;
    for (const auto& f : *findings) {
        if (!f.is_object() || !f.contains("fingerprint") || !f["fingerprint"].is_string())
            return util::Error{path, "each finding needs a `fingerprint`"};
        BaselineEntry e;
        e.fingerprint = f["fingerprint"].get<std::string>();
        e.rule = text_of(f, "rule");
        e.path = text_of(f, "path");
        auto legacy = f.find("legacy");
        e.legacy = version == 1 || (legacy != f.end() && legacy->is_boolean() && legacy->get<bool>());
        b.add(std::move(e));
    }
    if (auto imported = j.find("imported"); version >= 2 && imported != j.end()) {
        if (!imported->is_array()) return util::Error{path, "`imported` is not a list"};
        size_t n = 0;
        for (const auto& f : *imported) {
            ++n;
            auto e = imported_entry(f);
            if (!e)
                return util::Error{path, "imported entry " + std::to_string(n) +
                                             " needs a kind (sha256, sha1 or line), a path and its sha256, sha1 or line"};
            b.add(std::move(*e));
        }
    }
    return b;
}

util::Status write_baseline(const std::string& path, const Baseline& baseline) {
    nlohmann::json j = {{"nhi_baseline", kFormat}, {"findings", nlohmann::json::array()}};
    nlohmann::json imported = nlohmann::json::array();
    for (const auto& e : baseline.entries) {
        if (e.kind == EntryKind::Native) {
            nlohmann::json f = {{"fingerprint", e.fingerprint}, {"rule", e.rule}, {"path", e.path}};
            if (e.legacy) f["legacy"] = true;  // its path is relative to the root scanned, not the repository
            j["findings"].push_back(std::move(f));
            continue;
        }
        nlohmann::json f = {{"kind", entry_kind_name(e.kind)}, {"path", e.path}};
        if (e.kind == EntryKind::Line) f["line"] = e.line;
        else f[entry_kind_name(e.kind)] = e.hash;
        if (!e.source.empty()) f["source"] = e.source;
        if (!e.rule.empty()) f["rule"] = e.rule;
        imported.push_back(std::move(f));
    }
    if (!imported.empty()) j["imported"] = std::move(imported);
    return util::write_file_atomic(path, j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

// ---- Importing -----------------------------------------------------------------------------

namespace {

// Paths as the other tool wrote them ("./src/a.env", "/abs/repo/src/a.env") as repository
// paths in the form a scan gives them ("src/a.env"); nullopt when the path leaves the repository.
std::optional<std::string> repo_path(const std::string& p, const std::string& repo_root) {
    namespace fs = std::filesystem;
    fs::path q(p);
    if (q.is_absolute()) q = q.lexically_normal().lexically_relative(fs::path(repo_root).lexically_normal());
    std::string n = q.lexically_normal().generic_string();
    if (n.empty() || n == "." || n == ".." || n.rfind("../", 0) == 0) return std::nullopt;
    return n;
}

class Importer {
public:
    Importer(ImportResult& r, const std::string& root) : r_(r), root_(root) {}

    void skip(size_t n, const std::string& why) {
        ++r_.malformed[why];
        auto& at = r_.malformed_at[why];
        if (at.size() < kEntriesNamed) at.push_back(n);
    }

    // A path for entry `n`, or nullopt after counting why not.
    std::optional<std::string> path(size_t n, const std::string& p, const char* field) {
        if (p.empty()) {
            skip(n, std::string("no ") + field);
            return std::nullopt;
        }
        auto rp = repo_path(p, root_);
        if (!rp) skip(n, std::string(field) + " outside the repository");
        return rp;
    }

    void gitleaks(const nlohmann::json& report) {
        size_t n = 0;
        for (const auto& f : report) {
            ++n;
            if (!f.is_object()) {
                skip(n, "not an object");
                continue;
            }
            auto p = path(n, text_of(f, "File"), "File");
            if (!p) continue;
            auto secret = f.find("Secret");
            if (secret == f.end() || !secret->is_string() || secret->get<std::string>().empty()) {
                skip(n, "no Secret");
                continue;
            }
            BaselineEntry e;
            e.path = *p;
            e.rule = text_of(f, "RuleID");
            e.source = "gitleaks";
            const std::string s = secret->get<std::string>();
            // gitleaks --redact writes "REDACTED" (older versions "REDACT"); --redact=N, the
            // first part of the secret and "...". Either way there is nothing to hash.
            const bool redacted = s == "REDACTED" || s == "REDACT" || (s.size() >= 3 && s.ends_with("..."));
            if (redacted) {
                auto line = positive(f, "StartLine");
                if (!line) {
                    skip(n, "redacted Secret and no StartLine");
                    continue;
                }
                e.kind = EntryKind::Line;
                e.line = *line;
                ++r_.redacted;
            } else {
                e.kind = EntryKind::Sha256;
                e.hash = util::sha256_hex(s);
            }
            r_.entries.push_back(std::move(e));
        }
    }

    void detect_secrets(const nlohmann::json& results) {
        size_t n = 0;
        for (const auto& [file, list] : results.items()) {
            if (!list.is_array()) {
                skip(++n, "results for a file is not a list");
                continue;
            }
            for (const auto& f : list) {
                ++n;
                if (!f.is_object()) {
                    skip(n, "not an object");
                    continue;
                }
                auto p = path(n, file, "filename");
                if (!p) continue;
                std::string hash = lower(text_of(f, "hashed_secret"));
                if (!is_hex(hash, 40)) {
                    skip(n, "hashed_secret is not SHA-1 hex");
                    continue;
                }
                BaselineEntry e;
                e.kind = EntryKind::Sha1;
                e.path = *p;
                e.hash = std::move(hash);
                e.rule = text_of(f, "type");
                e.source = "detect-secrets";
                r_.entries.push_back(std::move(e));
            }
        }
    }

private:
    ImportResult& r_;
    std::string root_;
};

}  // namespace

const char* import_format_name(ImportFormat f) {
    switch (f) {
        case ImportFormat::Auto: return "auto";
        case ImportFormat::Gitleaks: return "gitleaks";
        case ImportFormat::DetectSecrets: return "detect-secrets";
    }
    return "";
}

util::Expected<ImportResult> import_baseline(const std::string& path, ImportFormat format, const std::string& repo_root) {
    const char* expected = format == ImportFormat::Gitleaks        ? "a gitleaks JSON report"
                           : format == ImportFormat::DetectSecrets ? "a detect-secrets baseline"
                                                                   : "a gitleaks JSON report or a detect-secrets baseline";
    TRY_ASSIGN(nlohmann::json j, read_json(path, expected));
    if (j.is_object() && j.contains("nhi_baseline"))
        return util::Error{path, "already an nhi baseline; nothing to import (name it with --baseline to use it)"};
    const bool is_gitleaks = j.is_array();
    auto results = j.is_object() ? j.find("results") : j.end();
    const bool is_detect_secrets = j.is_object() && results != j.end() && results->is_object();
    if (format == ImportFormat::Auto) {
        if (is_gitleaks) format = ImportFormat::Gitleaks;
        else if (is_detect_secrets) format = ImportFormat::DetectSecrets;
        else
            return util::Error{path, "neither a gitleaks JSON report (a list of findings) nor a detect-secrets "
                                     "baseline (an object with `results`)"};
    }
    if (format == ImportFormat::Gitleaks && !is_gitleaks)
        return util::Error{path, "not a gitleaks JSON report: expected a list of findings"};
    if (format == ImportFormat::DetectSecrets && !is_detect_secrets)
        return util::Error{path, "not a detect-secrets baseline: expected an object with a `results` object"};

    ImportResult r;
    r.format = format;
    Importer in(r, repo_root);
    if (format == ImportFormat::Gitleaks) in.gitleaks(j);
    else in.detect_secrets(*results);
    return r;
}

}  // namespace nhi::rules
