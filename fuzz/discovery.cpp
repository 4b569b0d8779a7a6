// Repository discovery (scanners::discover) for each path kind. The first input byte picks
// the kind, the rest is the file's content, so one corpus covers every parser behind it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_util.hpp"
#include "scanners/discovery.hpp"

namespace {
// Order matters: seeds.sh prefixes each seed with its index here.
constexpr std::string_view kPaths[] = {
    "deploy/k8s/serviceaccount.yaml",  // 0: Kubernetes manifests
    "infra/iam.tf",                    // 1: Terraform
    ".github/workflows/deploy.yml",    // 2: GitHub Actions workflow
    ".npmrc",                          // 3: npm registry auth
    "home/.docker/config.json",        // 4: docker config.json
    ".mcp.json",                       // 5: MCP server config (JSON)
    "home/.codex/config.toml",         // 6: Codex config (TOML)
};
constexpr size_t kKinds = sizeof(kPaths) / sizeof(kPaths[0]);
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string_view path = kPaths[data[0] % kKinds];
    NHI_FUZZ_CHECK(nhi::scanners::discoverable(path));
    std::string_view content(reinterpret_cast<const char*>(data + 1), size - 1);
    auto batch = nhi::scanners::discover(path, content);
    NHI_FUZZ_CHECK(batch.format == "repository");
    return 0;
}
