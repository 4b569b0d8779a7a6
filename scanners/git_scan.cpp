#include "scanners/git_scan.hpp"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "scanners/git_handles.hpp"
#include "scanners/git_walk.hpp"
#include "util/queue.hpp"
#include "util/text.hpp"
#include "rules/validators.hpp"

namespace nhi::scanners {
namespace {

using git::Enumeration;

// Blobs per datastore transaction: large enough to amortise commits, small enough that a
// killed run keeps most of its work.
constexpr size_t kBatch = 2000;

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

struct Scanned {
    size_t entry;  // index into Enumeration::blobs
    db::Store::BlobRecord record;
};

// The datastore keeps object ids as their raw 20 bytes.
std::string raw(const git_oid& oid) { return std::string(reinterpret_cast<const char*>(oid.id), GIT_OID_RAWSZ); }
git_oid from_raw(const std::string& bytes) {
    git_oid oid{};
    std::memcpy(oid.id, bytes.data(), GIT_OID_RAWSZ);
    return oid;
}

// One finding of one blob, with the blob it came from (raw oid), before grouping.
struct Hit {
    db::Finding finding;
    std::string blob;
    std::string commit, path, date;
    size_t order;  // walk order: earlier is older
};

}  // namespace

namespace {

util::Status scan_one(const std::string& path, const GitScanOptions& o, const rules::Engine& engine, db::Store* store,
                      int64_t run, ScanStats& stats, const ScanSinks& sinks) {
    auto repo_r = open_repo(path);
    if (!repo_r) return repo_r.error();
    git::Repository repo = std::move(repo_r).value();
    const std::string scope = scope_key(repo.get(), o);
    const std::string& rules_hash = engine.rules_hash();
    auto warn = [&](const util::Error& e) { sinks.warning(util::Error{path + ": " + e.what, e.why}); };

    // What to walk, and whether an earlier scan lets us walk less.
    git::WalkOptions wo;
    wo.all_refs = o.all_refs;
    wo.branch = o.branch;
    wo.since = o.since;
    std::vector<git::RefTip> tips;
    bool full_scope = !o.staged && o.branch.empty() && o.since.empty();
    std::vector<db::Store::Tip> previous;
    if (!o.staged) {
        auto t = git::select_refs(repo.get(), wo, warn);
        if (!t) return util::Error{path, t.error().message()};
        tips = std::move(t).value();
        if (tips.empty()) warn({"refs", "no branches or tags: nothing to scan"});
    }
    bool incremental = false;
    if (store && full_scope) {
        auto prev = store->repo_tips(scope, rules_hash);
        if (!prev) return prev.error();
        previous = std::move(prev).value();
        // Walk only new commits when every ref scanned last time still exists and has only
        // moved forward; anything else (a deleted or rewritten ref) gets a full walk.
        std::map<std::string, git_oid> now;
        for (const auto& t : tips) now[t.ref] = t.commit;
        incremental = !previous.empty();
        for (const auto& p : previous) {
            git_oid old{};
            auto it = now.find(p.ref);
            if (it == now.end() || git_oid_fromstr(&old, p.commit.c_str()) != 0) {
                incremental = false;
                break;
            }
            if (!git_oid_equal(&old, &it->second) && git_graph_descendant_of(repo.get(), &it->second, &old) != 1) {
                incremental = false;
                break;
            }
            wo.hide.push_back(old);
        }
        if (!incremental) wo.hide.clear();
    }

    // Blobs scanned before with these rules are not read again.
    git::OidSet known;
    std::unordered_set<std::string> known_matches;  // raw oids of known blobs that hold findings
    int64_t rules = 0;
    if (store) {
        auto id = store->rules_id(rules_hash);
        if (!id) return id.error();
        rules = *id;
        auto k = store->known_blobs(rules);
        if (!k) return k.error();
        known.reserve(k->size());
        for (const auto& b : *k) {
            if (b.oid.size() != GIT_OID_RAWSZ) continue;
            known.insert(from_raw(b.oid));
            if (b.has_matches) known_matches.insert(b.oid);
        }
    }

    // Walk the history first, then scan. The order of reads matters more than anything
    // else here: packs store versions of a file as deltas of each other, newest whole, and
    // libgit2 keeps only a small delta-base cache per repository handle. Reading all
    // versions of one path together, newest first, resolves each delta from a cached base
    // (on curl's history this halves the CPU time of a cold scan).
    struct Item {
        size_t index;
        git_oid oid;
        std::string path;
    };
    std::vector<Item> todo;
    std::vector<size_t> known_hit_entries;  // entries whose (known) blob has stored findings
    auto on_blob = [&](const git::BlobEntry& e, size_t index) {
        if (known.count(e.oid)) {
            ++stats.blobs_known;
            if (!known_matches.empty() && known_matches.count(raw(e.oid))) known_hit_entries.push_back(index);
            return;
        }
        todo.push_back({index, e.oid, e.path});
    };
    auto en_r = o.staged ? git::enumerate_staged(repo.get(), warn, on_blob)
                         : git::enumerate(repo.get(), tips, wo, warn, on_blob);
    if (!en_r) return util::Error{path, en_r.error().message()};
    Enumeration en = std::move(en_r).value();
    std::sort(todo.begin(), todo.end(), [](const Item& a, const Item& b) {
        return a.path != b.path ? a.path < b.path : a.index > b.index;
    });

    // Workers take whole paths in chunks; this thread writes to the datastore. libgit2
    // repository handles are not shared between threads, so each worker opens its own.
    constexpr size_t kChunk = 64;
    unsigned jobs = o.jobs ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
    util::BoundedQueue<std::vector<Item>> work(256);
    util::BoundedQueue<std::vector<Scanned>> done(256);
    std::thread feeder([&] {
        std::vector<Item> c;
        for (size_t k = 0; k < todo.size(); ++k) {
            c.push_back(std::move(todo[k]));
            bool path_ends = k + 1 == todo.size() || todo[k + 1].path != c.back().path;
            if (path_ends && c.size() >= kChunk) {
                work.push(std::move(c));
                c.clear();
            }
        }
        if (!c.empty()) work.push(std::move(c));
        work.close();
    });

    std::vector<std::thread> threads;
    std::atomic<unsigned> running{jobs};
    for (unsigned t = 0; t < jobs; ++t) {
        threads.emplace_back([&] {
            auto worker = engine.make_worker();
            git_repository* handle = nullptr;
            bool opened = git_repository_open_ext(&handle, git_repository_path(repo.get()), GIT_REPOSITORY_OPEN_NO_SEARCH,
                                                  nullptr) == 0;
            git::Repository own(handle);
            while (auto items = work.pop()) {
                std::vector<Scanned> results;
                results.reserve(items->size());
                for (const auto& e : *items) {
                    Scanned s;
                    s.entry = e.index;
                    s.record.oid = raw(e.oid);
                    git_blob* b = nullptr;
                    if (!opened || git_blob_lookup(&b, own.get(), &e.oid) != 0) {
                        ++stats.errors;
                        sinks.warning({path + ": " + e.path,
                                       "blob " + git::oid_hex(e.oid) + " missing or corrupt: " + git::last_error()});
                        s.record.status = db::Store::BlobStatus::Unreadable;
                        results.push_back(std::move(s));
                        continue;
                    }
                    git::Blob blob(b);
                    auto size = uint64_t(git_blob_rawsize(b));
                    s.record.size = size;
                    std::string_view data(static_cast<const char*>(git_blob_rawcontent(b)), size_t(size));
                    if (size > o.max_blob_size) {
                        ++stats.skipped_too_large;
                        s.record.status = db::Store::BlobStatus::TooLarge;
                    } else if (util::looks_binary(data)) {
                        ++stats.skipped_binary;
                        s.record.status = db::Store::BlobStatus::Binary;
                    } else {
                        s.record.status = db::Store::BlobStatus::Scanned;
                        ++stats.files_scanned;
                        stats.bytes_scanned += size;
                        // The blob's first path picks the path-scoped rules (.pgpass).
                        auto matches = worker->scan(data, /*keep_lone_context=*/false, &e.path);
                        if (!matches.empty())
                            s.record.findings = to_findings(engine, matches, data, e.path, /*path_scoped=*/false);
                    }
                    results.push_back(std::move(s));
                }
                done.push(std::move(results));
            }
            if (--running == 0) done.close();
        });
    }

    util::Status write_status = util::ok_status();
    std::vector<db::Store::BlobRecord> batch;
    std::vector<std::pair<size_t, db::Finding>> new_hits;  // entry index, finding
    auto flush = [&] {
        if (store && !batch.empty() && write_status) write_status = store->record_blobs(run, rules, batch, o.store_secrets);
        batch.clear();
    };
    while (auto results = done.pop()) {
        for (auto& s : *results) {
            for (const auto& f : s.record.findings) new_hits.emplace_back(s.entry, f);
            if (store) batch.push_back(std::move(s.record));
        }
        if (batch.size() >= kBatch) flush();
    }
    feeder.join();
    for (auto& t : threads) t.join();
    flush();
    if (!write_status) return write_status;
    stats.commits += en.commits_walked;
    stats.errors += en.errors;
    stats.submodules += en.submodules;
    if (en.shallow) {
        stats.shallow = true;
        warn({"history", "shallow clone: only part of the history is present, so older secrets may be missed"});
    }
    if (en.submodules)
        warn({"submodules",
              std::to_string(en.submodules) + " submodule entries skipped (scan them as repositories of their own)"});

    std::vector<Hit> hits;
    for (auto& [i, f] : new_hits) {
        const auto& e = en.blobs[i];
        hits.push_back(Hit{std::move(f), raw(e.oid), en.commits[e.commit].id, e.path, en.commits[e.commit].date, i});
    }

    // Findings of known blobs come from the datastore, placed where this walk found them.
    auto hit_from_stored = [&](const db::Store::StoredMatch& m, const std::string& oid, const std::string& commit,
                               const std::string& blob_path, const std::string& date, size_t order) {
        Hit h;
        h.finding.rule_id = m.rule_id;
        h.finding.secret_sha256 = m.secret_sha256;
        h.finding.redacted = m.redacted;
        h.finding.secret = m.secret;
        h.finding.line = m.line;
        h.finding.column = m.column;
        h.finding.hints = m.hints;
        h.blob = oid;
        h.commit = commit;
        h.path = blob_path;
        h.date = date;
        h.order = order;
        return h;
    };
    for (size_t i : known_hit_entries) {
        const auto& e = en.blobs[i];
        auto ms = store->blob_matches(raw(e.oid), rules);
        if (!ms) return ms.error();
        for (const auto& m : *ms)
            hits.push_back(hit_from_stored(m, raw(e.oid), en.commits[e.commit].id, e.path, en.commits[e.commit].date, i));
    }

    // Provenance of every blob with findings, for this scope; later rescans read it back.
    std::unordered_map<std::string, db::Store::Origin> origins;
    for (const auto& h : hits) {
        if (origins.count(h.blob)) continue;
        const auto& e = en.blobs[h.order];
        const auto& c = en.commits[e.commit];
        origins[h.blob] = {h.blob, c.id, e.path, c.author, c.author_email, c.date, c.committer};
    }
    if (store && !o.staged && o.since.empty()) {
        std::vector<db::Store::Origin> list;
        for (auto& [_, v] : origins) list.push_back(v);
        if (auto s = store->record_origins(scope, list); !s) return s;
    }
    // An incremental walk saw only new commits: the rest of the scope is in the datastore.
    if (incremental) {
        std::set<std::string> walked;
        for (const auto& h : hits) walked.insert(h.blob);
        auto old = store->origin_matches(scope, rules);
        if (!old) return old.error();
        size_t order = en.blobs.size();
        for (const auto& om : *old) {
            if (walked.count(om.origin.oid)) continue;
            origins.emplace(om.origin.oid, om.origin);
            hits.push_back(hit_from_stored(om.match, om.origin.oid, om.origin.commit, om.origin.path, om.origin.date, order++));
        }
    }
    if (store && full_scope) {
        std::vector<db::Store::Tip> now;
        for (const auto& t : tips) now.push_back({t.ref, git::oid_hex(t.commit)});
        if (auto s = store->set_repo_tips(scope, rules_hash, now); !s) return s;
    }

    // Which secrets are still in HEAD's tree.
    std::set<std::pair<std::string, std::string>> in_head;
    for (const auto& h : hits)
        if (h.blob.size() == GIT_OID_RAWSZ && en.head_blobs.count(from_raw(h.blob)))
            in_head.insert({h.finding.rule_id, h.finding.secret_sha256});

    // One finding per (rule, secret, path), from its oldest blob; every blob that holds it
    // is an occurrence. Ordered by author date, then commit, so a full scan and an
    // incremental one agree on which occurrence came first.
    std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
        return std::tie(a.date, a.commit, a.blob, a.finding.line, a.finding.column) <
               std::tie(b.date, b.commit, b.blob, b.finding.line, b.finding.column);
    });
    std::map<std::string, db::Finding> grouped;
    std::vector<std::string> order;
    std::map<std::string, const rules::Rule*> rule_by_id;
    for (const auto& r : engine.rules()) rule_by_id[r.id] = &r;
    // Context is kept only beside a secret; where every secret of a blob was dropped for its
    // path (skip_paths), the blob's context at that path goes too, as in a directory scan.
    std::set<std::pair<std::string, std::string>> with_secret;  // (blob, path)
    for (const auto& h : hits) {
        auto r = rule_by_id.find(h.finding.rule_id);
        if (r == rule_by_id.end() ||
            (r->second->applies_to(h.path) && !r->second->secretless() && !rules::is_weak(h.finding.hints)))
            with_secret.insert({h.blob, h.path});
    }
    for (auto& h : hits) {
        if (auto r = rule_by_id.find(h.finding.rule_id);
            r != rule_by_id.end() && r->second->context && !with_secret.count({h.blob, h.path}))
            continue;
        const auto& origin = origins[h.blob];
        auto fp = db::fingerprint(h.finding.rule_id, h.finding.secret_sha256, h.path);
        auto it = grouped.find(fp);
        if (auto r = rule_by_id.find(h.finding.rule_id); r != rule_by_id.end() && !r->second->applies_to(h.path))
            continue;  // a path-scoped rule, and this copy of the blob lives elsewhere
        if (it == grouped.end()) {
            db::Finding f = std::move(h.finding);
            if (auto r = rule_by_id.find(f.rule_id); r != rule_by_id.end()) {
                db::apply_rule(f, *r->second);
            } else {
                f.rule_name = f.rule_id;  // a rule removed since: keep what is known
            }
            f.path = h.path;
            f.fingerprint = fp;
            f.commit = origin.commit;
            f.author = origin.author;
            f.author_email = origin.author_email;
            f.date = origin.date;
            f.committer = origin.committer;
            f.in_head = in_head.count({f.rule_id, f.secret_sha256}) ? 1 : 0;
            f.occurrences.push_back({h.commit, h.path, f.line, f.column});
            order.push_back(fp);
            grouped.emplace(fp, std::move(f));
        } else {
            it->second.occurrences.push_back({h.commit, h.path, h.finding.line, h.finding.column});
        }
    }
    std::vector<db::Finding> out;
    for (const auto& fp : order) out.push_back(std::move(grouped[fp]));
    stats.findings += out.size();
    if (!out.empty()) sinks.findings(std::move(out));
    return util::ok_status();
}

}  // namespace

util::Status scan_git(const GitScanOptions& options, const rules::Engine& engine, db::Store* store, int64_t run,
                      ScanStats& stats, const ScanSinks& sinks) {
    git::Library lib;
    // libgit2 allocates a fresh buffer for every blob it inflates; glibc would serve the
    // large ones with mmap and unmap them after, faulting in new pages each time. Keep
    // them on the heap so the memory is reused.
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    for (const auto& repo : options.repos)
        if (auto s = scan_one(repo, options, engine, store, run, stats, sinks); !s) return s;
    // Partial damage is reported and counted; a history where nothing at all could be
    // read is a runtime error.
    if (stats.errors > 0 && stats.files_scanned == 0 && stats.blobs_known == 0 && stats.skipped_binary == 0 &&
        stats.skipped_too_large == 0)
        return util::Error{"scan", "nothing could be read (" + std::to_string(stats.errors.load()) + " errors)"};
    return util::ok_status();
}

}  // namespace nhi::scanners
