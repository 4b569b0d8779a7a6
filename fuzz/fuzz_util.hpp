// Helpers the fuzz targets share: a failed invariant must crash (libFuzzer then keeps the
// input), and an unexpected exception must crash too, since library code promises not to throw.
#pragma once
#include <cstdio>
#include <cstdlib>

#define NHI_FUZZ_CHECK(cond)                                                          \
    do {                                                                              \
        if (!(cond)) {                                                                \
            std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            std::abort();                                                             \
        }                                                                             \
    } while (0)
