// The archive reader (scanners/archive.cpp, over libarchive): sniff, inner_name and read with
// small limits, so bombs are cut short and every input stays fast. The first byte's low bit
// picks a seekable source (zip through its central directory, 7z) or a plain stream; bit 1
// makes the callback leave entries unread (the drain path). Invariants: no more expanded bytes
// than the limits allow, no more entries than max_entries, no error unless the source fails.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.hpp"
#include "scanners/archive.hpp"

namespace ar = nhi::scanners::archive;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const uint8_t mode = data[0];
    std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    (void)ar::sniff(bytes);
    (void)ar::sniff(bytes.substr(0, 512));
    (void)ar::inner_name("x.tar.gz", bytes);

    ar::Limits limits;
    limits.max_archive_bytes = 4u << 20;
    limits.max_ratio = 50;
    limits.ratio_floor = 256u << 10;
    limits.max_entries = 64;
    ar::RunBudget budget(3u << 20);  // below max_archive_bytes, so RunBytes is reached too

    uint64_t given = 0, entries = 0;
    ar::Callbacks cb;
    cb.entry = [&](ar::Entry& e) -> nhi::util::Status {
        ++entries;
        NHI_FUZZ_CHECK(entries <= limits.max_entries);
        if (mode & 2) return nhi::util::ok_status();
        char buf[4096];
        for (;;) {
            auto n = e.read(buf, sizeof buf);
            NHI_FUZZ_CHECK(n.ok());  // a memory source never fails
            if (*n == 0) break;
            NHI_FUZZ_CHECK(*n <= sizeof buf);
            given += *n;
        }
        return nhi::util::ok_status();
    };
    cb.skipped = [&](ar::Skip s, const std::string&, const std::string&) {
        NHI_FUZZ_CHECK(ar::skip_name(s)[0] != '\0');
    };
    auto src = ar::memory_source(bytes);
    auto st = (mode & 1) ? ar::read(src.read, src.seek, "fuzz.bin", limits, budget, cb)
                         : ar::read(src.read, "fuzz.bin", limits, budget, cb);
    NHI_FUZZ_CHECK(st.ok());
    NHI_FUZZ_CHECK(given <= limits.max_archive_bytes);
    NHI_FUZZ_CHECK(given <= (3u << 20));
    NHI_FUZZ_CHECK(budget.left.load() + given <= (3u << 20));
    return 0;
}
