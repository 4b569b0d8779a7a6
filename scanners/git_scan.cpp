#include "scanners/git_scan.hpp"

#include "scanners/findings.hpp"

#include <malloc.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "rules/validators.hpp"
#include "scanners/git_handles.hpp"
#include "scanners/git_objects.hpp"
#include "scanners/git_walk.hpp"
#include "util/queue.hpp"
#include "util/text.hpp"
#include "util/worker_pool.hpp"

namespace nhi::scanners {
namespace {

using git::Enumeration;

// Blobs per datastore transaction: large enough to amortise commits, small enough that a
// killed run keeps most of its work.
constexpr size_t kBatch = 2000;
// Blobs per worker job: whole paths, so a worker reads the versions of one file together.
constexpr size_t kChunk = 64;

util::Expected<git::Repository> open_repo(const std::string& path) {
    git_repository* raw = nullptr;
    if (git_repository_open_ext(&raw, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) != 0) {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) return util::Error{path, "no such file or directory"};
        return util::Error{path, "not a git repository: " + git::last_error()};
    }
    return git::Repository(raw);
}

// The stable name of what was scanned: the repository's git directory, plus the scope.
std::string scope_key(git_repository* repo, const GitScanOptions& o) {
    std::error_code ec;
    auto dir = std::filesystem::weakly_canonical(git_repository_path(repo), ec).string();
    return o.all_refs ? dir + " (all refs)" : dir;
}

// The datastore keeps object ids as their raw 20 bytes.
std::string raw(const git_oid& oid) { return std::string(reinterpret_cast<const char*>(oid.id), GIT_OID_RAWSZ); }
git_oid from_raw(const std::string& bytes) {
    git_oid oid{};
    std::memcpy(oid.id, bytes.data(), GIT_OID_RAWSZ);
    return oid;
}

// One repository's scan: what every phase reads and adds to.
struct RepoScan {
    const std::string& path;
    const GitScanOptions& o;
    const rules::Engine& engine;
    db::Store* store;
    int64_t run;
    ScanStats& stats;
    const ScanSinks& sinks;
    rules::RuleStats& rule_stats;
    git::Repository repo;
    std::string scope;
    git::WarnFn warn;
    std::shared_ptr<const git::LooseIndex> loose;  // checked before libgit2 reads them
    UnpackRun& unpack;
    // What stored results are valid for: the rules, and how blobs were unpacked.
    std::string cache_key;
};

// Another handle on the repository, for another thread (libgit2 handles are not shared
// between threads), with the same check of loose objects before libgit2 reads them.
util::Expected<git::Repository> reopen(const RepoScan& rs) {
    git_repository* handle = nullptr;
    if (git_repository_open_ext(&handle, git_repository_path(rs.repo.get()), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) !=
        0)
        return util::Error{rs.path, "cannot open the repository again for another thread: " + git::last_error()};
    git::Repository owned(handle);
    if (auto g = git::guard_loose_objects(handle, rs.loose); !g) return util::Error{rs.path, g.error().message()};
    return owned;
}

// --- Phase 1: what to walk, and whether an earlier scan lets us walk less. ---

struct Plan {
    git::WalkOptions wo;
    std::vector<git::RefTip> tips;
    bool full_scope = false;   // every branch and tag, the whole history: tips are worth keeping
    bool incremental = false;  // only commits after the tips an earlier scan recorded
    uint64_t ref_errors = 0;   // refs that lead to missing or corrupt objects
};

util::Expected<Plan> plan_walk(const RepoScan& rs) {
    Plan p;
    p.wo.all_refs = rs.o.all_refs;
    p.wo.branch = rs.o.branch;
    p.wo.since = rs.o.since;
    p.full_scope = !rs.o.staged && rs.o.branch.empty() && rs.o.since.empty();
    // A long history is walked on two threads unless one was asked for (--jobs 1).
    if (rs.o.jobs != 1) p.wo.reopen = [&rs] { return reopen(rs); };
    if (!rs.o.staged) {
        auto t = git::select_refs(rs.repo.get(), p.wo, rs.warn, p.ref_errors);
        if (!t) return util::Error{rs.path, t.error().message()};
        p.tips = std::move(t).value();
        if (p.tips.empty()) rs.warn({"refs", "no branches or tags: nothing to scan"});
    }
    if (!rs.store || !p.full_scope) return p;
    TRY_ASSIGN(auto previous, rs.store->repo_tips(rs.scope, rs.cache_key));
    // Walk only new commits when every ref scanned last time still exists and has only
    // moved forward; anything else (a deleted or rewritten ref) gets a full walk.
    std::map<std::string, git_oid> now;
    for (const auto& t : p.tips) now[t.ref] = t.commit;
    p.incremental = !previous.empty();
    for (const auto& prev : previous) {
        git_oid old{};
        auto it = now.find(prev.ref);
        // git_graph_descendant_of: 1 yes, 0 no, < 0 an error; only a clear yes allows skipping.
        if (it == now.end() || git_oid_fromstr(&old, prev.commit.c_str()) != 0 ||
            (!git_oid_equal(&old, &it->second) && git_graph_descendant_of(rs.repo.get(), &it->second, &old) != 1)) {
            p.incremental = false;
            break;
        }
        p.wo.hide.push_back(old);
    }
    if (!p.incremental) p.wo.hide.clear();
    return p;
}

// --- Phase 2: blobs scanned before with these rules are not read again. ---

struct Known {
    git::FlatOidSet blobs;
    std::unordered_set<std::string> with_matches;  // raw oids of known blobs that hold findings
    int64_t rules = 0;                              // the datastore's id of this rule set
};

util::Expected<Known> load_known(const RepoScan& rs) {
    Known k;
    if (!rs.store) return k;
    TRY_ASSIGN(k.rules, rs.store->rules_id(rs.cache_key));
    TRY_ASSIGN(auto list, rs.store->known_blobs(k.rules));
    k.blobs.reserve(list.size());
    for (const auto& b : list) {
        if (b.oid.size() != GIT_OID_RAWSZ) continue;
        k.blobs.insert(from_raw(b.oid));
        if (b.has_matches) k.with_matches.insert(b.oid);
    }
    return k;
}

// --- Phase 3: the walk, and the blobs it found that need reading. ---

struct Item {
    size_t index;  // into Enumeration::blobs
    git_oid oid;
    std::string path;
};

struct Todo {
    Enumeration en;
    std::vector<Item> items;                // unknown blobs, grouped by path, newest first
    std::vector<size_t> known_hit_entries;  // entries whose (known) blob has stored findings
};

util::Expected<Todo> walk_history(const RepoScan& rs, const Plan& plan, const Known& known) {
    Todo t;
    auto on_blob = [&](const git::BlobEntry& e, size_t index) {
        if (known.blobs.count(e.oid)) {
            ++rs.stats.blobs_known;
            if (!known.with_matches.empty() && known.with_matches.count(raw(e.oid))) t.known_hit_entries.push_back(index);
            return;
        }
        t.items.push_back({index, e.oid, e.path});
    };
    auto en = rs.o.staged ? git::enumerate_staged(rs.repo.get(), rs.warn, on_blob)
                          : git::enumerate(rs.repo.get(), plan.tips, plan.wo, rs.warn, on_blob);
    if (!en) return util::Error{rs.path, en.error().message()};
    t.en = std::move(en).value();
    // The order of reads matters more than anything else here: packs store versions of a
    // file as deltas of each other, newest whole, and libgit2 keeps only a small delta-base
    // cache per repository handle. Reading all versions of one path together, newest first,
    // resolves each delta from a cached base (on curl's history this halves the CPU time of
    // a cold scan).
    std::sort(t.items.begin(), t.items.end(), [](const Item& a, const Item& b) {
        return a.path != b.path ? a.path < b.path : a.index > b.index;
    });
    return t;
}

// --- Phase 4: read and match the blobs on worker threads; this thread writes. ---

struct Scanned {
    size_t entry;  // index into Enumeration::blobs
    db::Store::BlobRecord record;
    // Not read whole or not matched whole (a missing object, a Hyperscan error): never
    // recorded as scanned, so a later scan reads it again.
    bool incomplete = false;
};

// What one worker thread owns: its repository handle (libgit2 handles are not shared
// between threads), object database and matcher.
class BlobScanner {
public:
    static util::Expected<std::shared_ptr<BlobScanner>> make(const RepoScan& rs) {
        auto s = std::shared_ptr<BlobScanner>(new BlobScanner(rs));
        TRY_ASSIGN(s->repo_, reopen(rs));
        git_repository* handle = s->repo_.get();
        git_odb* odb = nullptr;
        if (git_repository_odb(&odb, handle) != 0)
            return util::Error{rs.path, "cannot open the object database: " + git::last_error()};
        s->odb_.reset(odb);
        TRY_ASSIGN(s->matcher_, rs.engine.make_worker());
        // Warnings about a blob name the repository, as every other warning of a git scan does.
        s->sinks_ = rs.sinks;
        s->sinks_.warning = [&rs](const util::Error& e) { rs.sinks.warning({rs.path + ": " + e.what, e.why}); };
        s->unpacker_ = std::make_unique<Unpacker>(rs.engine, *s->matcher_, rs.unpack, rs.stats, s->sinks_);
        return s;
    }

    Scanned scan(const Item& e) {
        Scanned s;
        s.entry = e.index;
        s.record.oid = raw(e.oid);
        // The header gives the size without inflating the object: an oversized blob is
        // skipped before anything is read whole.
        size_t size = 0;
        git_object_t type = GIT_OBJECT_INVALID;
        if (git_odb_read_header(&size, &type, odb_.get(), &e.oid) != 0) return unreadable(s, e, git::last_error());
        if (type != GIT_OBJECT_BLOB) return unreadable(s, e, "not a blob");
        s.record.size = size;
        if (size > rs_.o.max_blob_size) {
            ++rs_.stats.skipped_too_large;
            if (rs_.sinks.skipped) rs_.sinks.skipped(rs_.path + ": " + e.path, "larger than --max-file-size");
            s.record.status = db::Store::BlobStatus::TooLarge;
            return s;
        }
        git_odb_object* obj = nullptr;
        if (git_odb_read(&obj, odb_.get(), &e.oid) != 0) return unreadable(s, e, git::last_error());
        git::OdbObject owned(obj);
        std::string_view data(static_cast<const char*>(git_odb_object_data(obj)), git_odb_object_size(obj));
        // Archives and encodings are unpacked; the blob's first path picks the path-scoped rules.
        std::vector<db::Finding> found;
        auto got = unpacker_->scan_memory(data, e.path, found);
        if (got == Unpacker::Outcome::Binary || got == Unpacker::Outcome::TooLarge) {
            ++rs_.stats.skipped_binary;
            if (rs_.sinks.skipped) rs_.sinks.skipped(rs_.path + ": " + e.path, "binary");
            s.record.status = db::Store::BlobStatus::Binary;
            return s;
        }
        s.record.status = db::Store::BlobStatus::Scanned;
        ++rs_.stats.files_scanned;
        if (unpacker_->engine_failed()) s.incomplete = true;  // read again next time
        s.record.findings = std::move(found);
        return s;
    }

    const rules::RuleStats& rule_stats() const { return matcher_->rule_stats(); }

private:
    explicit BlobScanner(const RepoScan& rs) : rs_(rs) {}

    Scanned& unreadable(Scanned& s, const Item& e, const std::string& why) {
        ++rs_.stats.errors;
        rs_.sinks.warning({rs_.path + ": " + e.path, "blob " + git::oid_hex(e.oid) + " missing or corrupt: " + why});
        s.record.status = db::Store::BlobStatus::Unreadable;
        s.incomplete = true;
        return s;
    }

    const RepoScan& rs_;
    git::Repository repo_;
    git::Odb odb_;
    std::unique_ptr<rules::Worker> matcher_;
    ScanSinks sinks_;  // before unpacker_, which refers to it
    std::unique_ptr<Unpacker> unpacker_;
};

struct BlobResults {
    std::vector<std::pair<size_t, db::Finding>> new_hits;  // entry index, finding
    uint64_t incomplete = 0;                                // blobs left to be read again
};

// Cuts the sorted items into jobs that end where a path ends.
std::vector<std::vector<Item>> chunks(std::vector<Item>&& items) {
    std::vector<std::vector<Item>> out;
    std::vector<Item> c;
    for (size_t k = 0; k < items.size(); ++k) {
        c.push_back(std::move(items[k]));
        const bool path_ends = k + 1 == items.size() || items[k + 1].path != c.back().path;
        if (path_ends && c.size() >= kChunk) out.push_back(std::exchange(c, {}));
    }
    if (!c.empty()) out.push_back(std::move(c));
    return out;
}

// The single writer: takes the workers' results until their queue closes, recording every
// blob read whole in the datastore in batches. After a write fails it only drains.
util::Status write_results(const RepoScan& rs, int64_t rules_id, util::BoundedQueue<std::vector<Scanned>>& done,
                           BlobResults& out) {
    util::Status status = util::ok_status();
    std::vector<db::Store::BlobRecord> batch;
    auto flush = [&] {
        if (rs.store && !batch.empty() && status) status = rs.store->record_blobs(rs.run, rules_id, batch, rs.o.store_secrets);
        batch.clear();
    };
    while (auto results = done.pop()) {
        for (auto& s : *results) {
            for (const auto& f : s.record.findings) out.new_hits.emplace_back(s.entry, f);
            if (s.incomplete) ++out.incomplete;
            else if (rs.store) batch.push_back(std::move(s.record));
        }
        if (batch.size() >= kBatch) flush();
    }
    flush();
    return status;
}

util::Expected<BlobResults> scan_blobs(const RepoScan& rs, int64_t rules_id, std::vector<Item>&& items) {
    const unsigned jobs = rs.o.jobs ? rs.o.jobs : std::max(1u, std::thread::hardware_concurrency());
    util::BoundedQueue<std::vector<Scanned>> done(256);
    std::mutex scanners_mu;
    std::vector<std::shared_ptr<BlobScanner>> scanners;  // kept for their rule statistics
    util::WorkerPool<std::vector<Item>> pool(
        jobs, 256, [&]() -> util::Expected<util::WorkerPool<std::vector<Item>>::Handler> {
            TRY_ASSIGN(auto scanner, BlobScanner::make(rs));
            {
                std::lock_guard lock(scanners_mu);
                scanners.push_back(scanner);
            }
            return util::WorkerPool<std::vector<Item>>::Handler([scanner, &done](std::vector<Item>& job) -> util::Status {
                std::vector<Scanned> results;
                results.reserve(job.size());
                for (const auto& e : job) results.push_back(scanner->scan(e));
                done.push(std::move(results));
                return util::ok_status();
            });
        });
    // The feeder submits and then waits for the pool, so this thread is free to write while
    // workers scan; it throws nothing out of its thread.
    util::Status pool_status = util::ok_status();
    std::thread feeder([&]() noexcept {
        try {
            for (auto& c : chunks(std::move(items)))
                if (!pool.submit(std::move(c))) break;  // the pool failed: finish() says why
            pool_status = pool.finish();
        } catch (const std::exception& e) {
            pool_status = util::Error{"internal error feeding the workers", e.what()};
            (void)pool.finish();
        }
        done.close();
    });

    BlobResults out;
    util::Status write_status = write_results(rs, rules_id, done, out);
    feeder.join();
    for (const auto& s : scanners) rs.rule_stats.merge(s->rule_stats());
    TRY(pool_status);
    TRY(write_status);
    return out;
}

// --- Phase 5: every finding of this walk, new and stored, with where it was seen. ---

// One finding of one blob, with the blob it came from (raw oid), before grouping.
struct Hit {
    db::Finding finding;
    std::string blob;
    std::string commit, path, date;
    size_t order;  // walk order: earlier is older
};

// A stored match of a known blob, placed where this walk (or an earlier one) found it.
Hit hit_from_stored(const db::Store::StoredMatch& m, const std::string& oid, const std::string& commit,
                    const std::string& blob_path, const std::string& date, size_t order) {
    Hit h;
    h.finding.rule_id = m.rule_id;
    h.finding.secret_sha256 = m.secret_sha256;
    h.finding.redacted = m.redacted;
    h.finding.secret = m.secret;
    h.finding.line = m.line;
    h.finding.column = m.column;
    h.finding.hints = m.hints;
    h.finding.inner = m.inner;
    h.finding.encoding = m.encoding;
    h.finding.validation = m.validation;  // the latest outcome stored for this secret, if any
    h.blob = oid;
    h.commit = commit;
    h.path = blob_path;
    h.date = date;
    h.order = order;
    return h;
}

util::Expected<std::vector<Hit>> gather_hits(const RepoScan& rs, const Todo& t, int64_t rules_id, BlobResults&& r) {
    const Enumeration& en = t.en;
    std::vector<Hit> hits;
    for (auto& [i, f] : r.new_hits) {
        const auto& e = en.blobs[i];
        hits.push_back(Hit{std::move(f), raw(e.oid), en.commits[e.commit].id, e.path, en.commits[e.commit].date, i});
    }
    for (size_t i : t.known_hit_entries) {
        const auto& e = en.blobs[i];
        TRY_ASSIGN(auto ms, rs.store->blob_matches(raw(e.oid), rules_id));
        for (const auto& m : ms)
            hits.push_back(hit_from_stored(m, raw(e.oid), en.commits[e.commit].id, e.path, en.commits[e.commit].date, i));
    }
    return hits;
}

// --- Phase 6: provenance and tips for later rescans; an incremental walk's older findings. ---

using Origins = std::unordered_map<std::string, db::Store::Origin>;

util::Expected<Origins> record_provenance(const RepoScan& rs, const Plan& plan, const Todo& t, int64_t rules_id,
                                          bool complete, std::vector<Hit>& hits) {
    const Enumeration& en = t.en;
    Origins origins;
    for (const auto& h : hits) {
        if (origins.count(h.blob)) continue;
        const auto& e = en.blobs[h.order];
        const auto& c = en.commits[e.commit];
        origins[h.blob] = {h.blob, c.id, e.path, c.author, c.author_email, c.date, c.committer};
    }
    if (rs.store && !rs.o.staged && rs.o.since.empty()) {
        std::vector<db::Store::Origin> list;
        for (auto& [_, v] : origins) list.push_back(v);
        TRY(rs.store->record_origins(rs.scope, list));
    }
    // An incremental walk saw only new commits: the rest of the scope is in the datastore.
    if (plan.incremental) {
        std::set<std::string> walked;
        for (const auto& h : hits) walked.insert(h.blob);
        TRY_ASSIGN(auto old, rs.store->origin_matches(rs.scope, rules_id));
        size_t order = en.blobs.size();
        for (const auto& om : old) {
            if (walked.count(om.origin.oid)) continue;
            origins.emplace(om.origin.oid, om.origin);
            hits.push_back(hit_from_stored(om.match, om.origin.oid, om.origin.commit, om.origin.path, om.origin.date, order++));
        }
    }
    if (rs.store && plan.full_scope) {
        // A walk that missed something (an unreadable blob or tree) keeps no tips, so the next
        // scan walks the whole history again and reads what could not be read this time.
        std::vector<db::Store::Tip> now;
        if (complete)
            for (const auto& tip : plan.tips) now.push_back({tip.ref, git::oid_hex(tip.commit)});
        TRY(rs.store->set_repo_tips(rs.scope, rs.cache_key, now));
    }
    return origins;
}

// --- Phase 7: one finding per (rule, secret, path), with every blob that holds it. ---

using RuleIndex = std::map<std::string, const rules::Rule*>;

// The path a path-scoped rule sees for a hit: an archive entry's own path, or the blob's.
std::string scope_of(const Hit& h) {
    const auto& inner = h.finding.inner;
    if (inner.empty()) return h.path;
    return inner.substr(inner.rfind('!') + 1);
}

// Context is kept only beside a secret; where every secret of a blob was dropped for its
// path (skip_paths), the blob's context at that path goes too, as in a directory scan.
std::set<std::pair<std::string, std::string>> blobs_with_secret(const std::vector<Hit>& hits, const RuleIndex& by_id) {
    std::set<std::pair<std::string, std::string>> out;  // (blob, path)
    for (const auto& h : hits) {
        auto r = by_id.find(h.finding.rule_id);
        if (keeps_context(r == by_id.end() ? nullptr : r->second, scope_of(h), h.finding.hints))
            out.insert({h.blob, h.path + h.finding.inner});
    }
    return out;
}

db::Finding first_finding(Hit& h, const rules::Rule* rule, const db::Store::Origin& origin, const std::string& fp,
                          bool in_head) {
    db::Finding f = std::move(h.finding);
    if (rule) db::apply_rule(f, *rule);
    else f.rule_name = f.rule_id;  // a rule removed since: keep what is known
    f.path = h.path + f.inner;
    f.fingerprint = fp;
    f.commit = origin.commit;
    f.author = origin.author;
    f.author_email = origin.author_email;
    f.date = origin.date;
    f.committer = origin.committer;
    f.in_head = in_head ? 1 : 0;
    f.occurrences.push_back({h.commit, f.path, f.line, f.column});
    return f;
}

std::vector<db::Finding> group_findings(const rules::Engine& engine, const Enumeration& en, std::vector<Hit>& hits,
                                        Origins& origins) {
    // Which secrets are still in HEAD's tree.
    std::set<std::pair<std::string, std::string>> in_head;
    for (const auto& h : hits)
        if (h.blob.size() == GIT_OID_RAWSZ && en.head_blobs.count(from_raw(h.blob)))
            in_head.insert({h.finding.rule_id, h.finding.secret_sha256});
    // From its oldest blob; ordered by author date, then commit, so a full scan and an
    // incremental one agree on which occurrence came first.
    std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
        return std::tie(a.date, a.commit, a.blob, a.finding.line, a.finding.column) <
               std::tie(b.date, b.commit, b.blob, b.finding.line, b.finding.column);
    });
    RuleIndex by_id;
    for (const auto& r : engine.rules()) by_id[r.id] = &r;
    const auto with_secret = blobs_with_secret(hits, by_id);
    std::map<std::string, db::Finding> grouped;
    std::vector<std::string> order;
    for (auto& h : hits) {
        auto r = by_id.find(h.finding.rule_id);
        const rules::Rule* rule = r == by_id.end() ? nullptr : r->second;
        if (rule && rule->context && !with_secret.count({h.blob, h.path + h.finding.inner})) continue;
        if (rule && !rule->applies_to(scope_of(h))) continue;  // a path-scoped rule, and this copy lives elsewhere
        auto fp = db::fingerprint(h.finding.rule_id, h.finding.secret_sha256, h.path + h.finding.inner);
        if (auto it = grouped.find(fp); it != grouped.end()) {
            it->second.occurrences.push_back({h.commit, h.path + h.finding.inner, h.finding.line, h.finding.column});
            continue;
        }
        const bool head = in_head.count({h.finding.rule_id, h.finding.secret_sha256}) > 0;
        grouped.emplace(fp, first_finding(h, rule, origins[h.blob], fp, head));
        order.push_back(fp);
    }
    std::vector<db::Finding> out;
    for (const auto& fp : order) out.push_back(std::move(grouped[fp]));
    return out;
}

// --staged reports what the change adds: a secret that HEAD's version of the same file already
// holds was committed before (baseline or allow it there), so it does not block this commit.
// HEAD's blobs are read to compare, not counted as scanned.
util::Status drop_secrets_in_head(const RepoScan& rs, const Enumeration& en, std::vector<db::Finding>& out) {
    ScanStats scratch;
    ScanSinks quiet = rs.sinks;
    quiet.findings = {};
    quiet.discovered = {};
    quiet.skipped = {};
    TRY_ASSIGN(auto repo, open_repo(rs.path));
    RepoScan head{rs.path, rs.o,        rs.engine, nullptr,  rs.run,   scratch,   quiet,       rs.rule_stats,
                  std::move(repo), rs.scope, rs.warn, rs.loose, rs.unpack, rs.cache_key};
    TRY_ASSIGN(auto scanner, BlobScanner::make(head));
    std::map<std::string, std::set<std::string>> secrets;  // path -> secret hashes in HEAD's file
    for (const auto& [index, oid] : en.head_versions) {
        const std::string& path = en.blobs[index].path;
        auto s = scanner->scan(Item{index, oid, path});
        for (const auto& f : s.record.findings) secrets[path].insert(f.secret_sha256);
    }
    const size_t before = out.size();
    std::erase_if(out, [&](const db::Finding& f) {
        auto it = secrets.find(f.path.substr(0, f.path.size() - std::min(f.path.size(), f.inner.size())));
        return it != secrets.end() && it->second.count(f.secret_sha256);
    });
    rs.stats.staged_in_head += before - out.size();
    return util::ok_status();
}

// What the walk itself counted and noticed.
void note_walk(const RepoScan& rs, const Enumeration& en) {
    rs.stats.commits += en.commits_walked;
    rs.stats.errors += en.errors;
    rs.stats.submodules += en.submodules;
    if (en.shallow) {
        rs.stats.shallow = true;
        rs.warn({"history", "shallow clone: only part of the history is present, so older secrets may be missed"});
    }
    if (en.submodules)
        rs.warn({"submodules",
                 std::to_string(en.submodules) + " submodule entries skipped (scan them as repositories of their own)"});
}

// What changes the results of unpacking a blob, so stored results made otherwise are not reused.
std::string unpack_key(const UnpackOptions& u) {
    return "+unpack1" + std::string(u.decode ? "d" : "") + (u.archives ? "a" : "") + std::to_string(u.max_depth);
}

util::Status scan_one(const std::string& path, const GitScanOptions& o, const rules::Engine& engine, db::Store* store,
                      int64_t run, ScanStats& stats, const ScanSinks& sinks, rules::RuleStats& rule_stats,
                      UnpackRun& unpack) {
    TRY_ASSIGN(auto repo, open_repo(path));
    RepoScan rs{path, o, engine, store, run, stats, sinks, rule_stats, std::move(repo), {}, {}, {}, unpack,
                engine.rules_hash() + unpack_key(o.unpack)};
    rs.scope = scope_key(rs.repo.get(), o);
    // Before anything reads an object: libgit2 1.5 hangs on a loose object cut short.
    TRY_ASSIGN(rs.loose, git::LooseIndex::build(rs.repo.get()));
    if (auto g = git::guard_loose_objects(rs.repo.get(), rs.loose); !g) return util::Error{path, g.error().message()};
    rs.warn = [&](const util::Error& e) { sinks.warning(util::Error{path + ": " + e.what, e.why}); };

    TRY_ASSIGN(auto plan, plan_walk(rs));
    TRY_ASSIGN(auto known, load_known(rs));
    TRY_ASSIGN(auto todo, walk_history(rs, plan, known));
    TRY_ASSIGN(auto results, scan_blobs(rs, known.rules, std::move(todo.items)));
    note_walk(rs, todo.en);
    stats.errors += plan.ref_errors;
    const bool complete = results.incomplete == 0 && todo.en.errors == 0 && plan.ref_errors == 0;
    TRY_ASSIGN(auto hits, gather_hits(rs, todo, known.rules, std::move(results)));
    TRY_ASSIGN(auto origins, record_provenance(rs, plan, todo, known.rules, complete, hits));
    auto out = group_findings(engine, todo.en, hits, origins);
    if (o.staged && !o.all_staged && !todo.en.head_versions.empty()) TRY(drop_secrets_in_head(rs, todo.en, out));
    stats.findings += out.size();
    if (!out.empty()) sinks.findings(std::move(out));
    return util::ok_status();
}

}  // namespace

util::Status scan_git(const GitScanOptions& options, const rules::Engine& engine, db::Store* store, int64_t run,
                      ScanStats& stats, const ScanSinks& sinks) {
    TRY_ASSIGN(auto lib, git::Library::init());
    // libgit2 allocates a fresh buffer for every blob it inflates; glibc would serve the
    // large ones with mmap and unmap them after, faulting in new pages each time. Keep
    // them on the heap so the memory is reused.
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    rules::RuleStats rule_stats;
    UnpackRun unpack(options.unpack);
    for (const auto& repo : options.repos)
        TRY(scan_one(repo, options, engine, store, run, stats, sinks, rule_stats, unpack));
    for (size_t i = 0; i < rules::kAllowForms; ++i) stats.allowed_inline[i] += rule_stats.allowed.by_form[i];
    for (const auto& w : rules::rule_warnings(engine, rule_stats)) (sinks.rule_warning ? sinks.rule_warning : sinks.warning)(w);
    // Partial damage is reported and counted; a history where nothing at all could be
    // read is a runtime error.
    if (stats.errors > 0 && stats.files_scanned == 0 && stats.blobs_known == 0 && stats.skipped_binary == 0 &&
        stats.skipped_too_large == 0)
        return util::Error{"scan", "nothing could be read (" + std::to_string(stats.errors.load()) + " errors)"};
    return util::ok_status();
}

}  // namespace nhi::scanners
