#include "scanners/importers/common.hpp"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>

#include "util/text.hpp"
#include "util/time.hpp"

namespace nhi::scanners::importers {
namespace {

// Bytes from memory or a FILE*, with the line and column of the next byte, so
// errors can say where without quoting what.
class Source {
public:
    explicit Source(std::string_view mem) : data_(mem.data()), end_(mem.size()) {}
    explicit Source(std::FILE* f) : file_(f), buf_(size_t(1) << 16) {}

    int peek() {
        if (pos_ == end_ && !refill()) return EOF;
        return static_cast<unsigned char>(data_[pos_]);
    }
    void advance() {
        if (pos_ == end_ && !refill()) return;
        if (data_[pos_] == '\n') {
            ++line_;
            line_start_ = offset_ + 1;
        }
        ++pos_;
        ++offset_;
    }
    bool failed() const { return failed_; }
    // The byte the lexer stopped at is the last one it read.
    std::string where() const {
        size_t col = offset_ > line_start_ ? offset_ - line_start_ : 1;
        return "line " + std::to_string(line_) + ", column " + std::to_string(col);
    }
    size_t line() const { return line_; }

private:
    bool refill() {
        if (!file_) return false;
        size_t n = std::fread(buf_.data(), 1, buf_.size(), file_);
        if (n == 0) {
            failed_ = std::ferror(file_) != 0;
            return false;
        }
        data_ = buf_.data();
        pos_ = 0;
        end_ = n;
        return true;
    }

    const char* data_ = nullptr;
    size_t pos_ = 0, end_ = 0;
    std::FILE* file_ = nullptr;
    std::vector<char> buf_;
    bool failed_ = false;
    size_t offset_ = 0, line_ = 1, line_start_ = 0;
};

// An input iterator over a Source, the form nlohmann's iterator input adapter
// reads.
struct SourceIt {
    using iterator_category = std::input_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char*;
    using reference = char;
    Source* src = nullptr;
    char operator*() const { return char(src->peek()); }
    SourceIt& operator++() {
        src->advance();
        return *this;
    }
    SourceIt operator++(int) {
        SourceIt t = *this;
        src->advance();
        return t;
    }
    bool done() const { return !src || src->peek() == EOF; }
    bool operator==(const SourceIt& o) const { return done() == o.done(); }
    bool operator!=(const SourceIt& o) const { return !(*this == o); }
};

using json = nlohmann::json;

// SAX handler: builds the document, except that each element of a streamed list
// is built alone, handed over and dropped. Depth is counted on every container,
// so a hostile file stops at the 65th level instead of exhausting the stack.
class Walker {
public:
    Walker(Source& src, std::string_view path, const std::set<std::string>& lists, const Input::RecordFn& fn,
           db::ImportBatch& batch)
        : src_(src), path_(path), lists_(lists), fn_(fn), batch_(batch) {}

    bool null() { return value(json()); }
    bool boolean(bool v) { return value(json(v)); }
    bool number_integer(json::number_integer_t v) { return value(json(v)); }
    bool number_unsigned(json::number_unsigned_t v) { return value(json(v)); }
    bool number_float(json::number_float_t v, const json::string_t&) { return value(json(v)); }
    bool string(json::string_t& v) { return value(json(std::move(v))); }
    bool binary(json::binary_t&) { return fail("binary values are not JSON"); }
    bool start_object(std::size_t) { return open(json::object()); }
    bool start_array(std::size_t) { return open(json::array()); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool key(json::string_t& k) {
        if (!stack_.empty())
            key_ = std::move(k);
        else
            top_key_ = std::move(k);
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) {
        std::string why;
        if (ex.id == 406 || ex.id == 407) {
            why = "number out of range";
        } else {
            // nlohmann's text ends with "; last read: '<input bytes>'", which may be
            // a secret: keep only the part it builds from token names.
            const std::string m = ex.what();
            auto at = m.find("syntax error");
            why = at == std::string::npos ? "syntax error" : m.substr(at, m.find("; last read") - at);
        }
        error_ = util::Error{std::string(path_), "invalid JSON at " + src_.where() + ": " + why};
        return false;
    }

    json top;
    std::optional<util::Error> error_;

private:
    bool in_stream() const { return stream_level_ > 0 && depth_ == stream_level_ && stack_.empty(); }

    bool fail(const std::string& why) {
        error_ = util::Error{std::string(path_), why + " at " + src_.where()};
        return false;
    }

    // Where a value goes that starts now, when no container is being built.
    json* slot() {
        if (depth_ == 0) return &top;
        if (top_object_ && depth_ == 1) return &top[top_key_];
        return nullptr;
    }

    bool value(json v) {
        if (!stack_.empty()) {
            json& back = *stack_.back();
            if (back.is_array())
                back.push_back(std::move(v));
            else
                back[key_] = std::move(v);
            return true;
        }
        if (in_stream()) return emit(std::move(v));
        if (json* s = slot()) *s = std::move(v);
        return true;
    }

    bool open(json v) {
        if (depth_ + 1 > kMaxJsonDepth) return fail("nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        if (!stack_.empty()) {
            json& back = *stack_.back();
            json* child;
            if (back.is_array()) {
                back.push_back(std::move(v));
                child = &back.back();
            } else {
                child = &(back[key_] = std::move(v));
            }
            stack_.push_back(child);
        } else if (in_stream()) {
            record_ = std::move(v);
            stack_.push_back(&record_);
        } else if (depth_ == 0 && v.is_array() && lists_.count("")) {
            top = json::array();
            stream_level_ = 1;
            list_.clear();
        } else if (depth_ == 0 && v.is_object()) {
            top = json::object();
            top_object_ = true;
            if (lists_.count(kEveryMember)) {
                map_ = true;
                stream_level_ = 1;
            }
        } else if (depth_ == 1 && top_object_ && v.is_array() && lists_.count(top_key_) && stream_level_ == 0) {
            top[top_key_] = json::array();
            stream_level_ = 2;
            list_ = top_key_;
            index_ = 0;
        } else if (json* s = slot()) {
            *s = std::move(v);
            stack_.push_back(s);
        }
        ++depth_;
        return true;
    }

    bool close() {
        --depth_;
        if (!stack_.empty()) {
            stack_.pop_back();
            if (stack_.empty() && stream_level_ > 0 && depth_ == stream_level_) return emit(std::move(record_));
            return true;
        }
        if (stream_level_ > 0 && depth_ + 1 == stream_level_) stream_level_ = 0;
        return true;
    }

    bool emit(json record) {
        const size_t at = index_++;
        const size_t identities = batch_.identities.size(), credentials = batch_.credentials.size();
        try {
            auto s = fn_(map_ ? top_key_ : list_, at, record);
            // The record is whole: its additions go to the sink now, so the batch never
            // holds more than one record's.
            if (s) s = batch_.flush();
            if (!s) {
                error_ = s.error();
                return false;
            }
        } catch (const nlohmann::json::exception& e) {
            // A field of an unexpected type deep inside one record: skip the record,
            // say so.
            std::string why = e.what();
            if (auto cut = why.find("] "); cut != std::string::npos) why = why.substr(cut + 2);
            // Nothing of a half-read record is kept.
            batch_.identities.resize(identities);
            batch_.credentials.resize(credentials);
            batch_.warnings.push_back(std::string(path_) + ": " + (list_.empty() ? "" : list_ + " ") + "entry " +
                                      std::to_string(at + 1) + " (line " + std::to_string(src_.line()) +
                                      "): unexpected value (" + why + "); skipped");
        }
        record_ = json();
        return true;
    }

    Source& src_;
    std::string_view path_;
    const std::set<std::string>& lists_;
    const Input::RecordFn& fn_;
    db::ImportBatch& batch_;
    std::vector<json*> stack_;
    std::string key_, top_key_, list_;
    json record_;
    bool top_object_ = false;
    bool map_ = false;  // each member of the top-level object is a record, named by its key
    int depth_ = 0, stream_level_ = 0;
    size_t index_ = 0;
};

util::Expected<json> walk_source(Source& src, std::string_view path, const std::set<std::string>& lists,
                                 const Input::RecordFn& fn, db::ImportBatch& batch, bool comments) {
    Walker w(src, path, lists, fn, batch);
    try {
        json::sax_parse(SourceIt{&src}, SourceIt{}, &w, json::input_format_t::json,
                        /*strict=*/true, comments);
    } catch (const std::exception&) {
        return util::Error{std::string(path), "out of memory or internal error while parsing JSON at " + src.where()};
    }
    if (w.error_) return *w.error_;
    if (src.failed()) return util::Error{std::string(path), std::string("read error: ") + std::strerror(errno)};
    return std::move(w.top);
}

}  // namespace

Input Input::memory(std::string_view content, std::string_view name) {
    Input in;
    in.name_ = std::string(name);
    in.memory_ = content;
    return in;
}

util::Expected<Input> Input::file(const std::string& open_path, std::string_view name) {
    Input in;
    in.name_ = std::string(name);
    std::FILE* f = std::fopen(open_path.c_str(), "rb");
    if (!f) return util::Error{std::string(name), std::string("cannot read: ") + std::strerror(errno)};
    in.file_.reset(f, [](std::FILE* p) { std::fclose(p); });
    return in;
}

util::Expected<std::string> Input::head(size_t n) {
    if (!file_) return std::string(memory_.substr(0, n));
    std::rewind(file_.get());
    std::string out(n, '\0');
    out.resize(std::fread(out.data(), 1, n, file_.get()));
    if (std::ferror(file_.get())) return util::Error{name_, std::string("read error: ") + std::strerror(errno)};
    return out;
}

util::Expected<std::string_view> Input::text() {
    if (!file_) return memory_;
    if (text_.empty()) {
        std::rewind(file_.get());
        char buf[1 << 16];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, file_.get())) > 0) text_.append(buf, n);
        if (std::ferror(file_.get())) return util::Error{name_, std::string("read error: ") + std::strerror(errno)};
    }
    return std::string_view(text_);
}

util::Expected<nlohmann::json> Input::walk(const std::set<std::string>& lists, const RecordFn& on_record,
                                           db::ImportBatch& batch, bool comments) {
    if (!file_) {
        Source src(memory_);
        return walk_source(src, name_, lists, on_record, batch, comments);
    }
    std::rewind(file_.get());
    Source src(file_.get());
    return walk_source(src, name_, lists, on_record, batch, comments);
}

util::Expected<nlohmann::json> Input::document(bool comments) {
    db::ImportBatch unused;
    return walk({}, nullptr, unused, comments);
}

util::Expected<nlohmann::json> parse_json(std::string_view path, std::string_view content, bool comments) {
    return Input::memory(content, path).document(comments);
}

std::string warn(std::string_view path, const std::string& what) { return std::string(path) + ": " + what; }

util::Status skip(db::ImportBatch& b, std::string_view path, const std::string& entry, const std::string& why) {
    b.warnings.push_back(warn(path, entry + ": " + why + "; skipped"));
    return util::ok_status();
}

bool is_no_date(std::string_view v) { return v.empty() || v == "N/A" || v == "no_information" || v == "not_supported"; }

nlohmann::json utc_text(std::string_view v) {
    if (is_no_date(v)) return nullptr;
    auto t = util::parse_iso8601(v);
    if (!t) return nullptr;
    return util::format_utc(*t);
}

nlohmann::json utc(const nlohmann::json& value) {
    if (!value.is_string()) return nullptr;
    return utc_text(value.get_ref<const std::string&>());
}

nlohmann::json date(db::ImportBatch& b, std::string_view path, const std::string& entry, const char* field,
                    const nlohmann::json& raw) {
    if (raw.is_null()) return nullptr;
    if (raw.is_string() && is_no_date(raw.get_ref<const std::string&>())) return nullptr;
    auto n = utc(raw);
    // The value itself is not quoted: a garbled export may hold anything in any
    // field.
    if (n.is_null()) b.warnings.push_back(warn(path, entry + ": `" + field + "` is not a date; imported without it"));
    return n;
}

bool is_never(const nlohmann::json& n) {
    if (!n.is_string()) return false;
    const auto& s = n.get_ref<const std::string&>();
    return s.size() >= 4 && s.compare(0, 4, "2299") >= 0;
}

void set_expiry(db::ImportBatch& b, std::string_view path, const std::string& entry, nlohmann::json& data,
                const nlohmann::json& raw) {
    auto e = date(b, path, entry, "expiry", raw);
    if (e.is_null()) return;
    if (is_never(e))
        data["never_expires"] = true;
    else
        data["expires"] = e;
}

std::optional<std::string> id_text(const nlohmann::json& v) {
    // A float id (1e300) has no exact integer, and casting it is undefined
    // behaviour: refuse.
    if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
    if (v.is_number_integer()) {
        const int64_t n = v.get<int64_t>();
        if (n < 0) return std::nullopt;
        return std::to_string(n);
    }
    if (v.is_string() && !v.get_ref<const std::string&>().empty()) return v.get<std::string>();
    return std::nullopt;
}

std::string str(const nlohmann::json& j, const char* key) {
    if (!j.is_object()) return "";
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::optional<std::pair<std::string, std::string>> owner_tag(const nlohmann::json& kv) {
    if (!kv.is_object()) return std::nullopt;
    // Strongest first: an explicit owner beats a team.
    for (const char* want : {"owner", "owner-email", "contact", "team", "squad"}) {
        for (const auto& [k, v] : kv.items()) {
            std::string lk;
            for (char c : k) lk.push_back(char(std::tolower(static_cast<unsigned char>(c))));
            if (lk == want && v.is_string() && !v.get<std::string>().empty())
                return std::make_pair(k, v.get<std::string>());
        }
    }
    return std::nullopt;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() + 0 && i + 2 <= s.size() - 1 && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            out.push_back(char(hex(s[i + 1]) * 16 + hex(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

}  // namespace nhi::scanners::importers
