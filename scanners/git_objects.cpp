#include "scanners/git_objects.hpp"

#include <fcntl.h>
#include <git2/sys/odb_backend.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <type_traits>

#include "scanners/git_handles.hpp"

namespace nhi::scanners::git {
namespace {

namespace fs = std::filesystem;

// "<type> <decimal size>\0" fits well inside this.
constexpr size_t kHeaderMax = 64;
// Input enough to decode the header of any well-formed stream (a deflate block's own header
// is a few hundred bytes at most).
constexpr size_t kHeaderInput = 64 * 1024;
// Deflate cannot expand by more than about 1032:1; a header declaring more than this much
// per compressed byte is corrupt, and is refused before anything is allocated for it.
constexpr uint64_t kMaxRatio = 2048;
// libgit2 follows alternates this deep too.
constexpr int kMaxAlternateDepth = 5;

struct Inflater {
    z_stream zs{};
    bool ready = false;
    Inflater() { ready = inflateInit(&zs) == Z_OK; }
    ~Inflater() {
        if (ready) inflateEnd(&zs);
    }
    Inflater(const Inflater&) = delete;
    Inflater& operator=(const Inflater&) = delete;
};

// One inflate call over `in`, fed in pieces zlib's 32-bit counters can hold. Returns zlib's code.
int inflate_some(z_stream& zs, std::string_view in, size_t& consumed, unsigned char* out, size_t out_len,
                 size_t& produced) {
    const size_t in_len = std::min<size_t>(in.size() - consumed, UINT_MAX);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + consumed));
    zs.avail_in = static_cast<uInt>(in_len);
    const size_t want = std::min<size_t>(out_len, UINT_MAX);
    zs.next_out = out;
    zs.avail_out = static_cast<uInt>(want);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    consumed += in_len - zs.avail_in;
    produced = want - zs.avail_out;
    return rc;
}

std::string zlib_why(int rc, const z_stream& zs, bool input_left) {
    if (rc == Z_BUF_ERROR && !input_left) return "cut short (its zlib stream ends early)";
    if (rc == Z_MEM_ERROR) return "out of memory inflating it";
    return std::string("not valid zlib data (") + (zs.msg ? zs.msg : "error " + std::to_string(rc)) + ")";
}

// Parses "<type> <size>\0"; returns the header's length (with its NUL), or 0 when invalid.
size_t parse_header(const unsigned char* p, size_t n, LooseObject& obj) {
    const auto* nul = static_cast<const unsigned char*>(std::memchr(p, 0, n));
    const auto* sp = static_cast<const unsigned char*>(std::memchr(p, ' ', n));
    if (!nul || !sp || sp > nul) return 0;
    const std::string type(reinterpret_cast<const char*>(p), static_cast<size_t>(sp - p));
    obj.type = git_object_string2type(type.c_str());
    if (obj.type != GIT_OBJECT_COMMIT && obj.type != GIT_OBJECT_TREE && obj.type != GIT_OBJECT_BLOB &&
        obj.type != GIT_OBJECT_TAG)
        return 0;
    if (sp + 1 == nul) return 0;
    uint64_t size = 0;
    for (const auto* d = sp + 1; d < nul; ++d) {
        if (*d < '0' || *d > '9' || size > (UINT64_MAX - 9) / 10) return 0;
        size = size * 10 + (*d - '0');
    }
    if (size > SIZE_MAX - 1) return 0;
    obj.size = static_cast<size_t>(size);
    return static_cast<size_t>(nul - p) + 1;
}

}  // namespace

LooseObject inflate_loose(std::string_view file, const LooseAlloc* alloc) {
    LooseObject obj;
    Inflater inf;
    if (!inf.ready) {
        obj.error = "cannot start zlib";
        return obj;
    }
    size_t consumed = 0;
    unsigned char header[kHeaderMax];
    size_t have = 0;
    int rc = Z_OK;
    // The header first: inflate until its NUL appears, the buffer fills or the stream stops.
    while (have < sizeof header && !std::memchr(header, 0, have)) {
        size_t got = 0;
        rc = inflate_some(inf.zs, file, consumed, header + have, sizeof header - have, got);
        have += got;
        if (rc != Z_OK) break;  // Z_STREAM_END, or no progress was possible, or bad data
    }
    const size_t header_len = parse_header(header, have, obj);
    if (header_len == 0) {
        obj.type = GIT_OBJECT_INVALID;
        if (rc != Z_OK && rc != Z_STREAM_END) obj.error = zlib_why(rc, inf.zs, consumed < file.size());
        else obj.error = "its header is not \"<type> <size>\"";
        return obj;
    }
    if (obj.size / kMaxRatio > file.size()) {
        obj.error = "its header declares " + std::to_string(obj.size) + " bytes, more than its file can hold";
        return obj;
    }
    if (!alloc) return obj;

    const size_t spill = have - header_len;  // content bytes inflated with the header
    if (spill > obj.size) {
        obj.error = "longer than its header says";
        return obj;
    }
    auto* data = static_cast<unsigned char*>((*alloc)(obj.size + 1));
    if (!data) {
        obj.error = "out of memory for " + std::to_string(obj.size) + " bytes";
        return obj;
    }
    obj.data = data;
    std::memcpy(data, header + header_len, spill);
    size_t filled = spill;
    while (rc != Z_STREAM_END) {
        // Once the declared size is filled, one spare byte tells a longer stream from its end.
        unsigned char spare = 0;
        const bool full = filled == obj.size;
        size_t got = 0;
        rc = inflate_some(inf.zs, file, consumed, full ? &spare : data + filled, full ? 1 : obj.size - filled, got);
        if (full && got) {
            obj.error = "longer than its header says";
            return obj;
        }
        filled += got;
        if (rc != Z_OK && rc != Z_STREAM_END) {
            obj.error = zlib_why(rc, inf.zs, consumed < file.size());
            return obj;
        }
    }
    if (filled != obj.size) {
        obj.error = "shorter than its header says";
        return obj;
    }
    data[obj.size] = 0;
    return obj;
}

// --- The index of loose objects. ---

namespace {

bool hex_name(const std::string& s, size_t n) {
    if (s.size() != n) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

// The object directories named in `dir`'s info/alternates, recursively.
void add_alternates(const fs::path& dir, int depth, std::vector<std::string>& dirs, std::set<std::string>& seen) {
    std::error_code ec;
    const std::string canonical = fs::weakly_canonical(dir, ec).string();
    if (ec || !seen.insert(canonical).second) return;
    dirs.push_back(dir.string() + "/");
    if (depth >= kMaxAlternateDepth) return;
    std::ifstream in(dir / "info" / "alternates");
    std::string line;
    while (in && std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        fs::path alt(line);
        if (alt.is_relative()) alt = dir / alt;
        add_alternates(alt, depth + 1, dirs, seen);
    }
}

}  // namespace

util::Expected<std::shared_ptr<const LooseIndex>> LooseIndex::build(git_repository* repo) {
    const char* common = git_repository_commondir(repo);
    if (!common) return util::Error{"objects", "the repository has no object directory"};
    auto index = std::make_shared<LooseIndex>();
    std::set<std::string> seen;
    std::string objects = common;
    if (!objects.empty() && objects.back() == '/') objects.pop_back();
    add_alternates(fs::path(objects) / "objects", 0, index->dirs_, seen);
    for (uint32_t d = 0; d < index->dirs_.size(); ++d) {
        std::error_code ec;
        // Only the fan-out directories that exist are opened: a packed repository costs one listing.
        for (fs::directory_iterator it(index->dirs_[d], ec), end; !ec && it != end; it.increment(ec)) {
            const std::string fan = it->path().filename().string();
            if (!hex_name(fan, 2)) continue;
            std::error_code ec2;
            for (fs::directory_iterator f(it->path(), ec2), fend; !ec2 && f != fend; f.increment(ec2)) {
                const std::string rest = f->path().filename().string();
                if (!hex_name(rest, GIT_OID_HEXSZ - 2)) continue;
                git_oid oid;
                if (git_oid_fromstr(&oid, (fan + rest).c_str()) == 0) index->where_.emplace(oid, d);
            }
        }
    }
    return std::shared_ptr<const LooseIndex>(std::move(index));
}

std::string LooseIndex::path_of(const git_oid& oid) const {
    auto it = where_.find(oid);
    if (it == where_.end()) return {};
    const std::string hex = oid_hex(oid);
    return dirs_[it->second] + hex.substr(0, 2) + "/" + hex.substr(2);
}

std::vector<git_oid> LooseIndex::with_prefix(const git_oid& prefix, size_t hex_len) const {
    std::vector<git_oid> out;
    for (const auto& [oid, _] : where_)
        if (git_oid_ncmp(&oid, &prefix, hex_len) == 0) out.push_back(oid);
    return out;
}

// --- The odb backend. ---

namespace {

struct Guard {
    git_odb_backend parent;  // first, so libgit2's pointer is ours
    std::shared_ptr<const LooseIndex> index;
};
// libgit2 hands back &parent: the cast back to Guard needs them to share an address.
static_assert(std::is_standard_layout_v<Guard>);

const LooseIndex& index_of(git_odb_backend* b) { return *reinterpret_cast<Guard*>(b)->index; }

int fail(const std::string& oid_hex_text, const std::string& why) {
    git_error_set_str(GIT_ERROR_ODB, ("loose object " + oid_hex_text + " " + why).c_str());
    return GIT_ERROR;
}

// Reads the object's file (only its start when `limit` is set). GIT_ENOTFOUND when it is gone.
int read_file(const std::string& path, const git_oid& oid, size_t limit, std::string& out) {
    // Non-blocking, so a FIFO planted as an object cannot stall the open.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT) return GIT_ENOTFOUND;
        return fail(oid_hex(oid), std::string("cannot be opened: ") + std::strerror(errno));
    }
    struct stat st {};
    int rc = 0;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = fail(oid_hex(oid), "is not a regular file");
    } else {
        const size_t want = limit ? std::min<size_t>(limit, static_cast<size_t>(st.st_size)) : static_cast<size_t>(st.st_size);
        out.resize(want);
        size_t got = 0;
        while (got < want) {
            const ssize_t n = ::read(fd, out.data() + got, want - got);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            got += static_cast<size_t>(n);
        }
        out.resize(got);  // a file that shrank reads as cut short
    }
    ::close(fd);
    return rc;
}

int guard_read(void** data, size_t* len, git_object_t* type, git_odb_backend* b, const git_oid* oid) {
    const std::string path = index_of(b).path_of(*oid);
    if (path.empty()) return GIT_ENOTFOUND;
    std::string file;
    if (int rc = read_file(path, *oid, 0, file); rc != 0) return rc;
    const LooseAlloc alloc = [b](size_t n) { return git_odb_backend_data_alloc(b, n); };
    LooseObject obj = inflate_loose(file, &alloc);
    if (!obj.error.empty()) {
        if (obj.data) git_odb_backend_data_free(b, obj.data);
        return fail(oid_hex(*oid), obj.error);
    }
    *data = obj.data;
    *len = obj.size;
    *type = obj.type;
    return 0;
}

int guard_read_header(size_t* len, git_object_t* type, git_odb_backend* b, const git_oid* oid) {
    const std::string path = index_of(b).path_of(*oid);
    if (path.empty()) return GIT_ENOTFOUND;
    std::string file;
    if (int rc = read_file(path, *oid, kHeaderInput, file); rc != 0) return rc;
    LooseObject obj = inflate_loose(file, nullptr);
    // Only the header was read: a stream that stops later is found when the object is read.
    if (!obj.error.empty()) return fail(oid_hex(*oid), obj.error);
    *len = obj.size;
    *type = obj.type;
    return 0;
}

int guard_read_prefix(git_oid* full, void** data, size_t* len, git_object_t* type, git_odb_backend* b,
                      const git_oid* prefix, size_t hex_len) {
    auto found = index_of(b).with_prefix(*prefix, hex_len);
    if (found.empty()) return GIT_ENOTFOUND;
    if (found.size() > 1) {
        git_error_set_str(GIT_ERROR_ODB, "ambiguous short object id");
        return GIT_EAMBIGUOUS;
    }
    git_oid_cpy(full, &found[0]);
    return guard_read(data, len, type, b, &found[0]);
}

void guard_free(git_odb_backend* b) { delete reinterpret_cast<Guard*>(b); }

}  // namespace

util::Status guard_loose_objects(git_repository* repo, std::shared_ptr<const LooseIndex> index) {
    if (!index || index->size() == 0) return util::ok_status();  // nothing loose: nothing to guard
    git_odb* raw = nullptr;
    if (git_repository_odb(&raw, repo) != 0) return util::Error{"objects", "cannot open the object database: " + last_error()};
    Odb odb(raw);
    auto* g = new Guard{};
    if (git_odb_init_backend(&g->parent, GIT_ODB_BACKEND_VERSION) != 0) {
        delete g;
        return util::Error{"objects", last_error()};
    }
    g->index = std::move(index);
    g->parent.read = guard_read;
    g->parent.read_header = guard_read_header;
    g->parent.read_prefix = guard_read_prefix;
    g->parent.free = guard_free;
    // Between the packs (asked first) and libgit2's own loose reader (never reached for an
    // object listed here); the odb owns the guard from here on.
    if (git_odb_add_backend(raw, &g->parent, kGuardPriority) != 0) {
        delete g;
        return util::Error{"objects", "cannot add the loose-object check: " + last_error()};
    }
    return util::ok_status();
}

}  // namespace nhi::scanners::git
