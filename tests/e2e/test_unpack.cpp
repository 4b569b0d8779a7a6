// End to end: secrets inside archives, compressed files, encodings and UTF-16 text are found
// by the real binary, each with its provenance, and decoys (base64 of plain text, an image, a
// certificate, a zip of docs with placeholders) are not reported.
#include <archive.h>
#include <archive_entry.h>

#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <set>

#include "support.hpp"
#include "util/hash.hpp"

namespace nhi::test {
namespace {

// A classic GitHub token with its CRC-32 checksum, different for each `seed`: each planted
// secret is told apart by its SHA-256.
std::string ghp(unsigned seed) { return fake_github_token(seed); }

std::string fmt_hex(char c);

std::string b64(std::string_view in, bool url = false) {
    static const char* std_alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static const char* url_alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char* a = url ? url_alpha : std_alpha;
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        uint32_t v = uint8_t(in[i]) << 16 | uint8_t(in[i + 1]) << 8 | uint8_t(in[i + 2]);
        for (int k = 3; k >= 0; --k) out += a[(v >> (6 * k)) & 63];
    }
    if (i + 1 == in.size()) {
        uint32_t v = uint8_t(in[i]) << 16;
        out += a[v >> 18];
        out += a[(v >> 12) & 63];
        if (!url) out += "==";
    } else if (i + 2 == in.size()) {
        uint32_t v = uint8_t(in[i]) << 16 | uint8_t(in[i + 1]) << 8;
        out += a[v >> 18];
        out += a[(v >> 12) & 63];
        out += a[(v >> 6) & 63];
        if (!url) out += "=";
    }
    return out;
}

std::string utf16(std::string_view ascii, bool big_endian, bool bom) {
    std::string out;
    if (bom) out += big_endian ? std::string("\xfe\xff", 2) : std::string("\xff\xfe", 2);
    for (char c : ascii) {
        if (big_endian) out += '\0', out += c;
        else out += c, out += '\0';
    }
    return out;
}

using Setup = std::function<void(struct archive*)>;
struct File {
    std::string name, data;
};

// An archive in memory, written by libarchive (`setup` picks the format and filter).
std::string make(const std::vector<File>& files, const Setup& setup) {
    std::string out;
    struct archive* a = archive_write_new();
    setup(a);
    archive_write_set_bytes_in_last_block(a, 1);
    archive_write_open(
        a, &out, nullptr,
        [](struct archive*, void* ctx, const void* buf, size_t n) -> la_ssize_t {
            static_cast<std::string*>(ctx)->append(static_cast<const char*>(buf), n);
            return la_ssize_t(n);
        },
        nullptr);
    for (const auto& f : files) {
        struct archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, f.name.c_str());
        archive_entry_set_size(e, la_int64_t(f.data.size()));
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_write_header(a, e);
        archive_write_data(a, f.data.data(), f.data.size());
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    return out;
}

const Setup zip = [](struct archive* a) { archive_write_set_format_zip(a); };
const Setup sevenzip = [](struct archive* a) { archive_write_set_format_7zip(a); };
Setup tar_with(int (*filter)(struct archive*)) {
    return [filter](struct archive* a) {
        archive_write_set_format_pax_restricted(a);
        if (filter) filter(a);
    };
}
Setup raw_with(int (*filter)(struct archive*)) {
    return [filter](struct archive* a) {
        archive_write_set_format_raw(a);
        filter(a);
    };
}

struct Scan {
    Result r;
    std::vector<nlohmann::json> findings;
    nlohmann::json summary;
    // secret_sha256 -> where
    std::map<std::string, nlohmann::json> by_secret;
};

Scan scan(const TempDir& d, const std::string& args) {
    Scan s;
    s.r = run_nhi("scan " + args + " --no-db --format json", d.path());
    auto doc = nlohmann::json::parse(s.r.out, nullptr, false);
    if (doc.is_discarded()) return s;
    s.summary = doc["summary"];
    for (auto& f : doc["findings"]) {
        s.findings.push_back(f);
        s.by_secret[f["secret_sha256"].get<std::string>()] = f;
    }
    return s;
}

std::string sha(const std::string& s) { return util::sha256_hex(s); }

std::string fmt_hex(char c) {
    static const char* digits = "0123456789abcdef";
    return {digits[uint8_t(c) >> 4], digits[uint8_t(c) & 15]};
}

}  // namespace

TEST_CASE("unpack: every planted secret is found, in every container and encoding", "[e2e][unpack]") {
    TempDir d;
    std::map<std::string, std::string> planted;  // where -> secret
    unsigned seed = 1;
    auto plant = [&](const std::string& where) { return planted[where] = ghp(seed++); };
    auto props = [](const std::string& tok) { return "# app\nlog.level=info\ngithub.token=" + tok + "\n"; };

    // Encodings.
    d.write("k8s/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: gh\ntype: Opaque\ndata:\n  token: " +
                                   b64(plant("k8s/secret.yaml:7")) + "\n");
    const std::string docker_auth = b64("ci-bot:" + plant("docker auth"));
    d.write("k8s/pull.yaml", "kind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: " +
                                 b64("{\"auths\":{\"ghcr.io\":{\"auth\":\"" + docker_auth + "\"}}}") + "\n");
    d.write("helm/values.yaml", "envFile: " + b64("GITHUB_TOKEN=" + plant("helm/values.yaml:1") + "\nMODE=prod\n", true) + "\n");
    d.write("web/page.html", "<a href=\"data:text/plain;base64," + b64("token " + plant("data uri")) + "\">x</a>\n");
    d.write("web/app.js", "const t = \"" + [&] {
        std::string esc;
        for (char c : plant("js escape")) esc += "\\x" + fmt_hex(c);
        return esc;
    }() + "\";\n");
    d.write("conf/app.json", "{\"token\": \"" + [&] {
        std::string esc;
        for (char c : plant("json escape")) esc += "\\u00" + fmt_hex(c);
        return esc;
    }() + "\"}\n");
    d.write("conf/url.txt", "callback https://hooks.example.com/in?token=" + [&] {
        std::string t = plant("percent"), out;
        for (char c : t) out += c == '_' ? std::string("%5F") : std::string(1, c);
        return out;
    }() + "&x=1\n");
    d.write("win/le-bom.ps1", utf16("$env:GH = '" + plant("utf-16le bom") + "'\r\n", false, true));
    d.write("win/be.reg", utf16("\"Token\"=\"" + plant("utf-16be") + "\"\r\n", true, false));
    d.write("win/bom8.txt", "\xef\xbb\xbftoken " + plant("utf-8 bom") + "\n");

    // Archives and compressed files.
    for (const char* ext : {"jar", "war", "ear", "apk", "whl", "nupkg", "egg", "zip"})
        d.write(std::string("dist/app.") + ext,
                make({{"BOOT-INF/classes/application.properties", props(plant(std::string("zip ") + ext))}}, zip));
    d.write("dist/app.tar", make({{"etc/app.properties", props(plant("tar"))}}, tar_with(nullptr)));
    d.write("dist/app.tar.gz", make({{"etc/app.properties", props(plant("tar.gz"))}}, tar_with(archive_write_add_filter_gzip)));
    d.write("dist/app.tgz", make({{"etc/app.properties", props(plant("tgz"))}}, tar_with(archive_write_add_filter_gzip)));
    d.write("dist/app.tar.bz2", make({{"etc/app.properties", props(plant("tar.bz2"))}}, tar_with(archive_write_add_filter_bzip2)));
    d.write("dist/app.tar.xz", make({{"etc/app.properties", props(plant("tar.xz"))}}, tar_with(archive_write_add_filter_xz)));
    d.write("dist/app.tar.zst", make({{"etc/app.properties", props(plant("tar.zst"))}}, tar_with(archive_write_add_filter_zstd)));
    d.write("dist/app.7z", make({{"etc/app.properties", props(plant("7z"))}}, sevenzip));
    d.write("logs/app.log.gz", make({{"data", props(plant("gz"))}}, raw_with(archive_write_add_filter_gzip)));
    d.write("logs/app.log.bz2", make({{"data", props(plant("bz2"))}}, raw_with(archive_write_add_filter_bzip2)));
    d.write("logs/app.log.xz", make({{"data", props(plant("xz"))}}, raw_with(archive_write_add_filter_xz)));
    d.write("logs/app.log.zst", make({{"data", props(plant("zst"))}}, raw_with(archive_write_add_filter_zstd)));
    // Nested: a jar in a tar.gz, and a base64 value in a file in a zip.
    d.write("dist/bundle.tar.gz", make({{"lib/inner.jar", make({{"app.properties", props(plant("nested jar"))}}, zip)}},
                                       tar_with(archive_write_add_filter_gzip)));
    d.write("dist/charts.zip", make({{"secret.yaml", "data:\n  token: " + b64(plant("base64 in zip")) + "\n"}}, zip));
    // A container image as `docker save` writes it (layers are tars inside the tar), and an
    // OCI image layout (layers are gzip tars stored under their digest, with no extension).
    const std::string layer = make({{"app/config/settings.ini", props(plant("docker layer"))}}, tar_with(nullptr));
    d.write("images/app.tar", make({{"manifest.json", "[{\"Layers\":[\"3f1c/layer.tar\"]}]"}, {"3f1c/layer.tar", layer}},
                                   tar_with(nullptr)));
    const std::string oci_layer =
        make({{"srv/app/.env", "GITHUB_TOKEN=" + plant("oci layer") + "\n"}}, tar_with(archive_write_add_filter_gzip));
    const std::string digest = util::sha256_hex(oci_layer);
    d.write("oci/oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
    d.write("oci/blobs/sha256/" + digest, oci_layer);

    auto s = scan(d, ".");
    INFO(s.r.err);
    REQUIRE(s.r.code == 1);
    for (const auto& [where, secret] : planted) {
        INFO(where);
        CHECK(s.by_secret.count(sha(secret)) == 1);
    }
    // Provenance in every finding.
    auto at = [&](const std::string& where) { return s.by_secret[sha(planted[where])]; };
    CHECK(at("k8s/secret.yaml:7")["path"] == "k8s/secret.yaml");
    CHECK(at("k8s/secret.yaml:7")["line"] == 7);
    CHECK(at("k8s/secret.yaml:7")["column"] == 10);
    CHECK(at("k8s/secret.yaml:7")["encoding"] == "base64");
    CHECK(at("k8s/secret.yaml:7")["rule"] == "nhi.github.pat");
    CHECK(at("k8s/secret.yaml:7")["confidence"] == "high");
    CHECK(at("docker auth")["encoding"] == "base64/base64");
    CHECK(at("zip jar")["path"] == "dist/app.jar!BOOT-INF/classes/application.properties");
    CHECK(at("zip jar")["line"] == 3);
    CHECK(at("zip jar")["file"] == "dist/app.jar");
    CHECK(at("zip jar")["entry"] == "BOOT-INF/classes/application.properties");
    CHECK(at("nested jar")["path"] == "dist/bundle.tar.gz!lib/inner.jar!app.properties");
    CHECK(at("base64 in zip")["path"] == "dist/charts.zip!secret.yaml");
    CHECK(at("base64 in zip")["encoding"] == "base64");
    CHECK(at("docker layer")["path"] == "images/app.tar!3f1c/layer.tar!app/config/settings.ini");
    CHECK(at("oci layer")["path"] == "oci/blobs/sha256/" + digest + "!srv/app/.env");
    CHECK(at("gz")["path"] == "logs/app.log.gz!app.log");
    CHECK(at("utf-16le bom")["encoding"] == "utf-16le");
    CHECK(at("utf-16le bom")["line"] == 1);
    CHECK(at("utf-16le bom")["column"] == 12);
    // One finding per planted secret: the encoded forms gave no second, generic one.
    std::set<std::string> wanted;
    for (const auto& [_, secret] : planted) wanted.insert(sha(secret));
    for (const auto& f : s.findings) {
        INFO(f.dump());
        CHECK(wanted.count(f["secret_sha256"].get<std::string>()) == 1);
    }
    CHECK(s.findings.size() == planted.size());
    CHECK(s.summary["unpacked"]["archives"].get<int>() >= 20);
    CHECK(s.summary["unpacked"]["decoded"].get<int>() >= 10);

    // The text report shows the same provenance (dist/ is build output: listed with --all-contexts).
    auto text = run_nhi("scan . --no-db --all-contexts", d.path());
    CHECK(text.out.find("k8s/secret.yaml:7:10 (base64)") != std::string::npos);
    CHECK(text.out.find("dist/app.jar!BOOT-INF/classes/application.properties:3:14") != std::string::npos);
    CHECK(text.out.find("unpacked: ") != std::string::npos);

    // SARIF names the archive as the file, with the entry in properties.
    auto sarif = nlohmann::json::parse(run_nhi("scan dist/app.jar --no-db --format sarif", d.path()).out);
    const auto& res = sarif["runs"][0]["results"][0];
    CHECK(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "dist/app.jar");
    CHECK(res["properties"]["entry"] == "BOOT-INF/classes/application.properties");

    // The switches turn each stage off.
    auto plain = scan(d, ". --no-decode --no-archives");
    CHECK(plain.by_secret.count(sha(planted["k8s/secret.yaml:7"])) == 0);
    CHECK(plain.by_secret.count(sha(planted["zip jar"])) == 0);
    CHECK(plain.by_secret.count(sha(planted["utf-16le bom"])) == 0);
    auto shallow = scan(d, "dist --max-depth 1");
    CHECK(shallow.by_secret.count(sha(planted["zip jar"])) == 1);
    CHECK(shallow.by_secret.count(sha(planted["nested jar"])) == 0);
    CHECK(shallow.summary["not_unpacked"]["nested_too_deep"].get<int>() >= 1);
    d.write(".nhi.yml", "archives: false\n");
    auto configured = scan(d, ".");
    CHECK(configured.by_secret.count(sha(planted["zip jar"])) == 0);
    CHECK(configured.by_secret.count(sha(planted["k8s/secret.yaml:7"])) == 1);
}

TEST_CASE("unpack: decoys are not reported", "[e2e][unpack]") {
    TempDir d;
    const std::string png = std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0", 29) +
                            std::string(200, '\x7f');
    d.write("site/logo.txt", "logo: " + b64(png) + "\n");
    d.write("site/readme.yaml", "description: " +
                                    b64("This chart installs the web front end and its cache; see the docs.") + "\n");
    d.write("tls/cert.pem", "-----BEGIN CERTIFICATE-----\n" + b64(std::string("\x30\x82\x01\x0a\x02\x82\x01\x01", 8) +
                                                                        std::string(180, '\x11')) +
                                "\n-----END CERTIFICATE-----\n");
    d.write("docs/manual.zip", make({{"docs/setup.md", "Set GITHUB_TOKEN=<your-token> and API_KEY=xxxxxxxx.\n"}}, zip));
    d.write("bin/random.b64", b64(std::string(300, '\x9c')) + "\n");
    auto s = scan(d, ".");
    INFO(s.r.out << s.r.err);
    CHECK(s.r.code == 0);
    CHECK(s.findings.empty());
}

TEST_CASE("unpack: a large file is scanned in chunks, with lines counted across them", "[e2e][unpack]") {
    TempDir d;
    // 20 MiB of lines, with secrets before, across and after the chunk boundaries (8 MiB).
    const std::string line(99, 'a');  // 100 bytes with the newline
    std::string big;
    big.reserve(21u << 20);
    std::vector<std::pair<std::string, size_t>> planted;  // secret, line
    size_t n = 0;
    auto add_line = [&](const std::string& l) {
        big += l;
        big += '\n';
        ++n;
    };
    for (unsigned k = 1; big.size() < (20u << 20); ++k) {
        if (k % 60000 == 0 || big.size() + 200 > (8u << 20) && big.size() < (8u << 20)) {
            planted.push_back({ghp(1000 + k), n + 1});
            add_line("token=" + planted.back().first);
        } else {
            add_line(line);
        }
    }
    planted.push_back({ghp(1), n + 1});
    add_line("last " + planted.back().first);
    d.write("big.log", big);
    auto s = scan(d, "big.log");
    INFO(s.r.err);
    REQUIRE(s.r.code == 1);
    for (const auto& [secret, line_no] : planted) {
        INFO(line_no);
        REQUIRE(s.by_secret.count(sha(secret)) == 1);
        CHECK(s.by_secret[sha(secret)]["line"] == line_no);
    }
    CHECK(s.findings.size() == planted.size());  // the overlap reports nothing twice
    CHECK(s.summary["bytes_scanned"] == big.size());
}

TEST_CASE("unpack: a bomb and a damaged archive are counted warnings, not crashes", "[e2e][unpack]") {
    TempDir d;
    // 1 GiB of zeros in a zstd stream: a ratio far past the limit.
    std::string zeros(1u << 20, '\0');
    std::vector<File> files{{"zeros.bin", ""}};
    files[0].data.reserve(64u << 20);
    for (int i = 0; i < 64; ++i) files[0].data += zeros;
    d.write("bomb.tar.zst", make(files, tar_with(archive_write_add_filter_zstd)));
    std::string good = make({{"a.properties", "github.token=" + ghp(77) + "\n"}}, zip);
    d.write("broken.zip", good.substr(0, good.size() / 2));
    d.write("ok.txt", "token " + ghp(78) + "\n");
    auto s = scan(d, ". --max-decoded-size 16M");
    INFO(s.r.err);
    CHECK(s.r.code == 1);  // ok.txt
    CHECK(s.by_secret.count(sha(ghp(78))) == 1);
    CHECK(s.r.err.find("bomb.tar.zst") != std::string::npos);
    CHECK(s.r.err.find("broken.zip") != std::string::npos);
    CHECK(s.summary["not_unpacked"].size() >= 1);
}

TEST_CASE("unpack: a deep nest stops at --max-depth with a counted warning", "[e2e][unpack]") {
    TempDir d;
    // Twelve zips, one inside the next, the secret in the innermost.
    const std::string secret = ghp(601);
    std::string blob = make({{"deep.properties", "github.token=" + secret + "\n"}}, zip);
    for (int i = 0; i < 11; ++i) blob = make({{"level" + std::to_string(i) + ".zip", blob}}, zip);
    d.write("nest.zip", blob);
    auto s = scan(d, ".");
    INFO(s.r.err);
    CHECK(s.r.code == 0);  // not reached: the default depth is 4
    CHECK(s.findings.empty());
    CHECK(s.summary["not_unpacked"]["nested_too_deep"] == 1);
    CHECK(s.r.err.find("nested deeper than --max-depth 4") != std::string::npos);
    auto deep = scan(d, ". --max-depth 12");
    CHECK(deep.by_secret.count(sha(secret)) == 1);
    CHECK(deep.summary["unpacked"]["archives"] == 12);
}

TEST_CASE("unpack: git history opens archive and encoded blobs, and its cache keeps their provenance", "[e2e][unpack][git]") {
    TempDir d;
    auto sh = [&](const std::string& cmd) {
        auto r = run_shell("export GIT_AUTHOR_NAME=Dev GIT_AUTHOR_EMAIL=dev@acme.test GIT_COMMITTER_NAME=Dev "
                           "GIT_COMMITTER_EMAIL=dev@acme.test GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 && " +
                               cmd,
                           d / "repo");
        REQUIRE(r.code == 0);
    };
    fs::create_directories(d / "repo");
    sh("git init -q -b main .");
    const std::string in_jar = ghp(501), in_yaml = ghp(502);
    d.write("repo/lib/app.jar", make({{"META-INF/app.properties", "github.token=" + in_jar + "\n"}}, zip));
    d.write("repo/k8s/secret.yaml", "kind: Secret\ndata:\n  token: " + b64(in_yaml) + "\n");
    sh("git add -A && git commit -q -m add");
    sh("git rm -q lib/app.jar k8s/secret.yaml && git commit -q -m remove");

    auto first = run_nhi("scan --git repo --format json --db db/nhi.db", d.path());
    INFO(first.err);
    REQUIRE(first.code == 1);
    auto a = nlohmann::json::parse(first.out);
    std::map<std::string, nlohmann::json> got;
    for (auto& f : a["findings"]) got[f["secret_sha256"].get<std::string>()] = f;
    REQUIRE(got.count(sha(in_jar)) == 1);
    REQUIRE(got.count(sha(in_yaml)) == 1);
    CHECK(got[sha(in_jar)]["path"] == "lib/app.jar!META-INF/app.properties");
    CHECK(got[sha(in_jar)]["in_head"] == false);
    CHECK(got[sha(in_yaml)]["path"] == "k8s/secret.yaml");
    CHECK(got[sha(in_yaml)]["encoding"] == "base64");
    CHECK(got[sha(in_yaml)]["line"] == 3);

    // A rescan reads no blob again: the same findings, provenance included, from the datastore.
    auto second = run_nhi("scan --git repo --format json --db db/nhi.db", d.path());
    auto b = nlohmann::json::parse(second.out);
    CHECK(b["summary"]["git"]["blobs_scanned"] == 0);
    CHECK(b["findings"] == a["findings"]);
    // Results made with archives opened are not reused for a scan that does not open them.
    auto plain = run_nhi("scan --git repo --format json --db db/nhi.db --no-archives", d.path());
    auto c = nlohmann::json::parse(plain.out);
    CHECK(c["summary"]["git"]["blobs_scanned"].get<int>() > 0);
    for (auto& f : c["findings"]) CHECK(f["secret_sha256"] != sha(in_jar));
}

}  // namespace nhi::test
