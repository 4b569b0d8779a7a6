#include "scanners/unpack.hpp"

#include <algorithm>
#include <cstring>
#include <set>

#include "scanners/decode.hpp"
#include "scanners/discovery.hpp"
#include "scanners/findings.hpp"
#include "util/text.hpp"

namespace nhi::scanners {

struct Unpacker::Where {
    std::string path;      // what findings and warnings name: the file, and any "!entry" chain
    std::string inner;     // the "!entry" chain alone
    std::string scope;     // what path-scoped rules see: the innermost file's own path
    std::string encoding;  // the decoders on the way, '/'-joined
    unsigned depth = 0;    // archives and decodings around this text
    // A decoded text: every finding points at the encoded span in the outermost text.
    bool pinned = false;
    size_t line = 0, column = 0;
    // The decoded part of a decoded text; what lies outside it is the outer line, whose
    // findings the outer text already gave.
    size_t keep_from = 0, keep_to = SIZE_MAX;
};

namespace {

constexpr size_t kHead = 8192;          // bytes judged before anything else is read
constexpr size_t kContext = 256;        // bytes of the source line kept around a decoded span
constexpr uint64_t kMaxUtf16 = 256u << 20;  // UTF-16 is converted whole: bounded apart
constexpr size_t kSeekableNested = 64u << 20;  // a nested archive up to this is read into memory

// Reads from `read` until `buf` holds `want` bytes or the stream ends; false at its end.
util::Expected<bool> fill(const archive::ReadFn& read, std::string& buf, size_t want) {
    char chunk[65536];
    while (buf.size() < want) {
        TRY_ASSIGN(size_t n, read(chunk, std::min(sizeof chunk, want - buf.size())));
        if (n == 0) return false;
        buf.append(chunk, n);
    }
    return true;
}

// {line, column} just past `data[0, upto)`, for a text whose first byte is at (line, col).
std::pair<size_t, size_t> advance(std::string_view data, size_t upto, size_t line, size_t col) {
    size_t last_nl = std::string_view::npos;
    for (const char* p = data.data(); (p = static_cast<const char*>(std::memchr(p, '\n', data.data() + upto - p)));
         ++p) {
        ++line;
        last_nl = size_t(p - data.data());
    }
    if (last_nl == std::string_view::npos) return {line, col + upto};
    return {line, upto - last_nl};
}

std::string join(const std::string& chain, const char* step) { return chain.empty() ? step : chain + "/" + step; }

}  // namespace

Unpacker::Unpacker(const rules::Engine& engine, rules::Worker& worker, UnpackRun& run, ScanStats& stats,
                   const ScanSinks& sinks)
    : engine_(engine), worker_(worker), run_(run), stats_(stats), sinks_(sinks) {
    for (size_t i = 0; i < engine.rules().size(); ++i) rule_index_[engine.rules()[i].id] = i;
    // A match is confirmed on a window of at most its rule's max_length bytes: a chunk that
    // repeats the longest of them sees whole every match that starts before its cut.
    size_t longest = 4096;
    for (const auto& r : engine.rules()) longest = std::max(longest, r.max_length);
    overlap_ = std::min<size_t>(2 * longest, kChunk / 4);
}

util::Expected<Unpacker::Outcome> Unpacker::scan_stream(const archive::ReadFn& read, std::string head,
                                                        const std::string& path, uint64_t max_size,
                                                        std::vector<db::Finding>& out, const archive::SeekFn* seek) {
    engine_failed_ = false;
    path_scoped_ = true;
    Where w;
    w.path = path;
    w.scope = path;
    return blob(read, std::move(head), w, max_size, out, seek);
}

Unpacker::Outcome Unpacker::scan_memory(std::string_view data, const std::string& path,
                                        std::vector<db::Finding>& out) {
    engine_failed_ = false;
    path_scoped_ = false;  // git applies path-scoped rules to each path a blob has
    Where w;
    w.path = path;
    w.scope = path;
    const std::string_view head = data.substr(0, kHead);
    const auto& o = run_.options;
    const auto charset = o.decode ? decode::sniff_charset(head) : decode::Charset::Utf8;
    const bool utf16 = charset != decode::Charset::Utf8 && charset != decode::Charset::Utf8Bom;
    if (!utf16 && !(o.archives && archive::sniff(head) != archive::Kind::None)) {
        // Plain text, the common case: matched where it lies, without a copy.
        if (util::looks_binary(head)) return Outcome::Binary;
        chunks(data, w, out);
        return Outcome::Text;
    }
    auto source = archive::memory_source(data);
    auto r = blob(source.read, {}, w, 0, out, &source.seek);
    return r ? r.value() : Outcome::Binary;  // reading memory cannot fail
}

util::Expected<Unpacker::Outcome> Unpacker::blob(const archive::ReadFn& read, std::string head, const Where& w,
                                                 uint64_t max_size, std::vector<db::Finding>& out,
                                                 const archive::SeekFn* seek) {
    TRY(fill(read, head, kHead));
    const auto& o = run_.options;
    if (o.archives && archive::sniff(head) != archive::Kind::None) {
        if (w.depth >= o.max_depth) {
            ++stats_.skipped_depth;
            sinks_.warning({w.path, "archive nested deeper than --max-depth " + std::to_string(o.max_depth) +
                                        "; not opened"});
            return Outcome::Binary;
        }
        TRY(open_archive(read, std::move(head), w, out, seek));
        return Outcome::Archive;
    }
    return text_stream(read, std::move(head), w, max_size, out);
}

util::Status Unpacker::open_archive(const archive::ReadFn& read, std::string head, const Where& w,
                                    std::vector<db::Finding>& out, const archive::SeekFn* seek) {
    ++stats_.archives;
    // An archive inside another is read into memory when it is small enough, so it can be
    // read through its index as a file is (a 7z can only be read so).
    if (!seek) {
        TRY_ASSIGN(bool more, fill(read, head, kSeekableNested + 1));
        if (!more) {
            auto source = archive::memory_source(head);
            return read_archive(source.read, &source.seek, w, out);
        }
    } else {
        // A file: read from its start again, through its index.
        TRY((*seek)(0, SEEK_SET));
        return read_archive(read, seek, w, out);
    }
    // The head was taken from the stream: give it back first.
    size_t head_pos = 0;
    archive::ReadFn source = [&](char* buf, size_t n) -> util::Expected<size_t> {
        if (head_pos < head.size()) {
            size_t k = std::min(n, head.size() - head_pos);
            std::memcpy(buf, head.data() + head_pos, k);
            head_pos += k;
            return k;
        }
        return read(buf, n);
    };
    return read_archive(source, nullptr, w, out);
}

util::Status Unpacker::read_archive(const archive::ReadFn& source, const archive::SeekFn* seek, const Where& w,
                                    std::vector<db::Finding>& out) {
    archive::Limits limits;
    limits.max_archive_bytes = run_.options.max_decoded_size;
    archive::Callbacks cb;
    cb.entry = [&](archive::Entry& e) -> util::Status {
        Where child = w;
        child.path = w.path + "!" + e.name;
        child.inner = w.inner + "!" + e.name;
        child.scope = e.name;
        child.depth = w.depth + 1;
        TRY_ASSIGN(Outcome got, blob(e.read, {}, child, 0, out));
        if (got == Outcome::Binary) ++stats_.skipped_binary;
        else if (got == Outcome::Text) ++stats_.archive_entries;
        return util::ok_status();
    };
    cb.skipped = [&](archive::Skip why, const std::string& entry, const std::string& detail) {
        ++stats_.skipped_archive[size_t(why)];
        std::string what = entry.empty() ? w.path : w.path + "!" + entry;
        std::string msg = std::string("not scanned (") + archive::skip_name(why) + ")";
        if (!detail.empty()) msg += ": " + detail;
        sinks_.warning({what, msg});
    };
    if (seek) return archive::read(source, *seek, w.path, limits, run_.budget, cb);
    return archive::read(source, w.path, limits, run_.budget, cb);
}

util::Expected<Unpacker::Outcome> Unpacker::text_stream(const archive::ReadFn& read, std::string head,
                                                        const Where& w, uint64_t max_size,
                                                        std::vector<db::Finding>& out) {
    const size_t first = out.size();
    auto too_large = [&] {
        out.resize(first);  // what was found before the limit is not half-reported
        return Outcome::TooLarge;
    };
    if (run_.options.decode) {
        auto cs = decode::sniff_charset(head);
        if (cs == decode::Charset::Utf16Le || cs == decode::Charset::Utf16Be) {
            uint64_t cap = max_size ? std::min<uint64_t>(max_size, kMaxUtf16) : kMaxUtf16;
            TRY_ASSIGN(bool more, fill(read, head, size_t(cap) + 1));
            if (more) return too_large();
            std::string text = decode::to_utf8(head, cs);
            head = {};
            ++stats_.decoded;
            Where u = w;
            u.encoding = join(w.encoding, decode::charset_name(cs));
            chunks(text, u, out);
            return Outcome::Text;
        }
    }
    if (util::looks_binary(head)) return Outcome::Binary;

    // Chunks of kChunk bytes, each starting with the last overlap_ bytes of the one before.
    uint64_t total = head.size();
    archive::ReadFn counted = [&](char* b, size_t n) -> util::Expected<size_t> {
        TRY_ASSIGN(size_t got, read(b, n));
        total += got;
        return got;
    };
    std::string buf = std::move(head);
    size_t line = 1, col = 1;
    for (bool first_chunk = true;; first_chunk = false) {
        // One byte past the chunk tells whether it is the last.
        TRY_ASSIGN(bool more, fill(counted, buf, kChunk + 1));
        if (max_size && total > max_size) return too_large();
        const bool last = !more;
        std::string_view chunk(buf.data(), last ? buf.size() : kChunk);
        const size_t cut = last ? chunk.size() : chunk.size() - overlap_;
        if (last && first_chunk && w.depth == 0 && w.encoding.empty() && sinks_.discovered && discoverable(w.path)) {
            auto batch = discover(w.path, chunk);
            if (!batch.identities.empty() || !batch.warnings.empty()) sinks_.discovered(std::move(batch));
        }
        stats_.bytes_scanned += cut;
        text(chunk, w, line, col, cut, last, out);
        if (last) break;
        std::tie(line, col) = advance(chunk, cut, line, col);
        buf.erase(0, cut);
    }
    return Outcome::Text;
}

void Unpacker::chunks(std::string_view data, const Where& w, std::vector<db::Finding>& out) {
    size_t line = 1, col = 1;
    for (size_t at = 0;;) {
        std::string_view rest = data.substr(at);
        const bool last = rest.size() <= kChunk;
        std::string_view chunk = last ? rest : rest.substr(0, kChunk);
        const size_t cut = last ? chunk.size() : chunk.size() - overlap_;
        stats_.bytes_scanned += cut;
        text(chunk, w, line, col, cut, last, out);
        if (last) return;
        std::tie(line, col) = advance(chunk, cut, line, col);
        at += cut;
    }
}

bool Unpacker::text(std::string_view data, const Where& w, size_t base_line, size_t base_col, size_t cut, bool last,
                    std::vector<db::Finding>& out) {
    auto matches = worker_.scan(data, /*keep_lone_context=*/false, &w.scope, /*apply_skip_paths=*/path_scoped_);
    report(w.path);
    const auto& rules = engine_.rules();
    // A match starting past the cut is the next chunk's, which sees it whole; in a decoded
    // text, one outside the decoded part repeats the outer text.
    std::erase_if(matches, [&](const rules::Match& m) {
        return (!last && m.start >= cut) || m.secret_end <= w.keep_from || m.secret_start >= w.keep_to;
    });
    keep_most_specific(engine_, matches);
    if (run_.options.decode) {
        std::vector<bool> drop(matches.size(), false);
        decoded(data, w, base_line, base_col, cut, last, matches, drop, out);
        size_t k = 0;
        std::erase_if(matches, [&](const rules::Match&) { return drop[k++]; });
    }
    if (matches.empty()) return false;
    const Placement at{w.scope, base_line, base_col, w.pinned, w.line, w.column, w.inner, w.encoding};
    auto found = to_findings(engine_, matches, data, w.path, path_scoped_, at);
    const bool secret = std::any_of(matches.begin(), matches.end(),
                                    [&](const rules::Match& m) { return !rules[m.rule].secretless() && !m.weak; });
    for (auto& f : found) out.push_back(std::move(f));
    return secret;
}

void Unpacker::decoded(std::string_view data, const Where& w, size_t base_line, size_t base_col, size_t cut, bool last,
                       const std::vector<rules::Match>& outer, std::vector<bool>& drop_outer,
                       std::vector<db::Finding>& out) {
    // A decoded text is looked at more closely: the `user:pass` of a docker `auth` inside a
    // decoded .dockerconfigjson is shorter than base64 worth decoding in plain source.
    auto spans = decode::find_spans(data, w.depth ? decode::nested_options() : decode::Options{});
    if (spans.empty()) return;
    util::LineCounter lines(data);
    for (auto& s : spans) {
        if (!last && s.start >= cut) break;  // the next chunk's
        if (s.end <= w.keep_from || s.start >= w.keep_to) continue;
        if (w.depth >= run_.options.max_depth) {
            ++stats_.skipped_depth;
            continue;
        }
        // The decoded text stands in for the span on its source line, so a keyword rule still
        // sees `DB_PASSWORD: ` before it.
        size_t from = s.start, to = s.end;
        while (from > 0 && s.start - from < kContext && data[from - 1] != '\n') --from;
        while (to < data.size() && to - s.end < kContext && data[to] != '\n') ++to;
        std::string text;
        text.reserve(s.text.size() + (s.start - from) + (to - s.end));
        text.append(data.substr(from, s.start - from));
        Where d = w;
        d.keep_from = text.size();
        text.append(s.text);
        d.keep_to = text.size();
        text.append(data.substr(s.end, to - s.end));
        d.encoding = join(w.encoding, s.kind);
        d.depth = w.depth + 1;
        if (!w.pinned) {
            auto [line, col] = lines.locate(s.start);
            d.pinned = true;
            d.line = line + base_line - 1;
            d.column = line == 1 ? col + base_col - 1 : col;
        }
        ++stats_.decoded;
        std::vector<db::Finding> inside;
        this->text(text, d, 1, 1, text.size(), true, inside);
        if (inside.empty()) continue;
        one_per_span(s, outer, drop_outer, inside);
        for (auto& f : inside) out.push_back(std::move(f));
    }
}

// One finding per span, between the matches on an encoded span and those in its decoding:
// - a decoded secret of a provider rule says more than any match on the encoded form that is
//   not more confident (a `ghp_` token inside a docker `auth` value): the encoded one goes,
//   and its validator's hints (the registry user) move to the decoded finding;
// - any decoded secret says more than a generic match on base64, which is unreadable;
// - a percent-encoded or escaped text is mostly readable as it is: a rule that matched it there
//   stands, and its decoded twin goes.
void Unpacker::one_per_span(const decode::Span& s, const std::vector<rules::Match>& outer,
                            std::vector<bool>& drop_outer, std::vector<db::Finding>& inside) {
    const auto& rules = engine_.rules();
    const bool readable = std::string_view(s.kind) == "percent" || std::string_view(s.kind) == "escape";
    auto rule_of = [&](const db::Finding& f) -> const rules::Rule* {
        auto it = rule_index_.find(f.rule_id);
        return it == rule_index_.end() ? nullptr : &rules[it->second];
    };
    std::set<std::string> kept_outer;
    for (size_t i = 0; i < outer.size(); ++i) {
        const auto& m = outer[i];
        if (drop_outer[i] || !(m.secret_start < s.end && s.start < m.secret_end)) continue;
        const auto& r = rules[m.rule];
        bool replaced = false;
        for (auto& f : inside) {
            const rules::Rule* fr = rule_of(f);
            if (!fr || fr->secretless() || f.severity == rules::Severity::Info) continue;
            const bool stronger = !fr->generic && f.confidence >= r.confidence && fr->id != r.id;
            if (stronger || (r.generic && !readable)) {
                replaced = true;
                if (m.hints.is_object())
                    for (const auto& [k, v] : m.hints.items())
                        if (!f.hints.is_object() || !f.hints.contains(k)) f.hints[k] = v;
            }
        }
        if (replaced) drop_outer[i] = true;
        else kept_outer.insert(r.id);
    }
    if (readable || !kept_outer.empty())
        std::erase_if(inside, [&](const db::Finding& f) { return kept_outer.count(f.rule_id) > 0; });
}

void Unpacker::report(const std::string& path) {
    const auto& rep = worker_.last_report();
    if (rep.clean()) return;
    if (rep.hit_limit()) ++stats_.match_limit_hits;
    if (rep.failed()) {
        ++stats_.engine_errors;
        engine_failed_ = true;
    }
    for (const auto& e : rules::report_warnings(engine_, rep, path)) sinks_.warning(e);
}

}  // namespace nhi::scanners
