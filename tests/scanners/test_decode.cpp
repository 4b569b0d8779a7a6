#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "rules/validators.hpp"
#include "scanners/decode.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"

namespace decode = nhi::scanners::decode;
using decode::Charset;
using decode::find_spans;
using decode::is_text;
using decode::Span;

namespace {

std::string b64(std::string_view in, bool url = false, bool pad = true) {
    const char* std_alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char* url_alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char* a = url ? url_alpha : std_alpha;
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
        for (int s = 18; s >= 0; s -= 6) out.push_back(a[(v >> s) & 63]);
    }
    if (i + 1 == in.size()) {
        const uint32_t v = uint8_t(in[i]) << 16;
        out.push_back(a[(v >> 18) & 63]);
        out.push_back(a[(v >> 12) & 63]);
        if (pad) out += "==";
    } else if (i + 2 == in.size()) {
        const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
        out.push_back(a[(v >> 18) & 63]);
        out.push_back(a[(v >> 12) & 63]);
        out.push_back(a[(v >> 6) & 63]);
        if (pad) out += "=";
    }
    return out;
}

// A fake GitHub token of the real shape: 30 base62 characters and their CRC-32 in 6 more.
std::string fake_ghp(uint32_t seed) {
    const char* alpha = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    std::mt19937 rng(seed);
    std::string body;
    for (int i = 0; i < 30; ++i) body.push_back(alpha[rng() % 62]);
    return "ghp_" + body + nhi::util::base62(nhi::util::crc32(body), 6);
}

std::string random_bytes(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::string s;
    for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(rng() & 0xff));
    return s;
}

// Checks the invariants every result must keep, then returns it.
std::vector<Span> spans(std::string_view text, const decode::Options& o = {}) {
    auto out = find_spans(text, o);
    size_t last = 0;
    for (const auto& s : out) {
        REQUIRE(s.start >= last);
        REQUIRE(s.start < s.end);
        REQUIRE(s.end <= text.size());
        REQUIRE(is_text(s.text));
        last = s.end;
    }
    return out;
}

std::string utf16(std::u16string_view s, bool le) {
    std::string out;
    for (char16_t c : s) {
        const char lo = static_cast<char>(c & 0xff), hi = static_cast<char>(c >> 8);
        if (le) out += {lo, hi};
        else out += {hi, lo};
    }
    return out;
}

}  // namespace

TEST_CASE("the fake GitHub token carries a valid checksum", "[scanners][decode]") {
    const std::string t = fake_ghp(1);
    REQUIRE(t.size() == 40);
    CHECK(nhi::rules::validate("github-crc32", t).valid);
}

TEST_CASE("is_text wants valid UTF-8 without NUL, a minimum length and few controls", "[scanners][decode]") {
    CHECK(is_text("hunter2!"));
    CHECK_FALSE(is_text("hunter2"));  // under the minimum length
    CHECK(is_text("line one\r\n\tline two\n"));
    CHECK(is_text("caf\xC3\xA9 cr\xC3\xA8me \xF0\x9F\x98\x80"));
    CHECK_FALSE(is_text(std::string("password\0xyz", 12)));
    CHECK_FALSE(is_text("caf\xC3 creme brulee"));           // a cut sequence
    CHECK_FALSE(is_text("over\xC0\xAFlong slash"));          // overlong '/'
    CHECK_FALSE(is_text("three-byte \xE0\x80\xAF overlong"));
    CHECK_FALSE(is_text("four-byte \xF0\x80\x80\xAF overlong"));
    CHECK_FALSE(is_text("surrogate \xED\xA0\x80 here"));     // UTF-8 of U+D800
    CHECK_FALSE(is_text("past max \xF4\x90\x80\x80 here"));  // U+110000
    CHECK_FALSE(is_text("bell\x07 in a short text"));        // under 32 code points: no control
    std::string log(62, 'x');
    log += "\x1b[0m";  // one ESC in 66 code points: a coloured log line still is text
    CHECK(is_text(log));
    CHECK_FALSE(is_text(std::string(40, '\x01')));
}

TEST_CASE("a Kubernetes Secret value in base64 is a span with exact offsets", "[scanners][decode]") {
    const std::string text = "apiVersion: v1\nkind: Secret\ndata:\n  password: aHVudGVyMi1zdXBlci1zZWNyZXQ=\n";
    auto out = spans(text);
    REQUIRE(out.size() == 1);
    const size_t at = text.find("aHVu");
    CHECK(out[0].start == at);
    CHECK(out[0].end == at + std::string("aHVudGVyMi1zdXBlci1zZWNyZXQ=").size());
    CHECK(out[0].text == "hunter2-super-secret");
    CHECK(std::string(out[0].kind) == "base64");
}

TEST_CASE("a base64 GitHub token decodes to the token", "[scanners][decode]") {
    const std::string token = fake_ghp(7);
    const std::string enc = b64(token);
    const std::string text = "GITHUB_TOKEN=" + enc + "\n";
    auto out = spans(text);
    REQUIRE(out.size() == 1);
    CHECK(out[0].start == 13);
    CHECK(out[0].end == 13 + enc.size());
    CHECK(out[0].text == token);
}

TEST_CASE("base64 with its slashes escaped (PHP json_encode) decodes as one run", "[scanners][decode]") {
    // A token whose base64 has a '/' in it, then written as JSON does with '/' escaped.
    std::string token, enc;
    for (uint32_t seed = 1; enc.find('/') == std::string::npos || enc.find('/') < 20; ++seed) {
        REQUIRE(seed < 5000);
        token = "auth=" + fake_ghp(seed) + "?????";  // 0x3f bytes give base64 its 63: a slash
        enc = b64(token);
    }
    std::string escaped;
    for (char c : enc) escaped += c == '/' ? std::string("\\/") : std::string(1, c);
    const std::string text = "{\"cfg\":\"" + escaped + "\"}\n";
    auto out = spans(text);
    REQUIRE(out.size() == 1);
    CHECK(out[0].start == 8);
    CHECK(out[0].end == 8 + escaped.size());
    CHECK(out[0].text == token);
    // A backslash-slash that is no part of base64 (a Windows path, an escaped URL) is left alone.
    CHECK(spans(R"({"url":"https:\/\/example.com\/a\/b"})").empty());
}

TEST_CASE("base64 of ordinary English text is a span (the decoy the rules then find nothing in)",
          "[scanners][decode]") {
    const std::string prose = "The quick brown fox jumps over the lazy dog, twice a day.";
    auto out = spans("description: \"" + b64(prose) + "\"");
    REQUIRE(out.size() == 1);
    CHECK(out[0].text == prose);
}

TEST_CASE("a .dockerconfigjson decodes one level; its auth decodes at the next", "[scanners][decode]") {
    const std::string auth = b64("robot-deployer:Zq8v-Pw3m-Lk2x");
    const std::string json = R"({"auths":{"registry.example.com":{"auth":")" + auth + R"("}}})";
    const std::string manifest = "data:\n  .dockerconfigjson: " + b64(json) + "\n";
    auto outer = spans(manifest);
    REQUIRE(outer.size() == 1);
    CHECK(outer[0].text == json);  // one level only: the auth is still base64 in it
    auto inner = spans(outer[0].text);
    REQUIRE(inner.size() == 1);
    CHECK(inner[0].text == "robot-deployer:Zq8v-Pw3m-Lk2x");
    CHECK(inner[0].start == json.find(auth));
}

TEST_CASE("a short docker auth is found in the decoded layer with nested_options", "[scanners][decode]") {
    const std::string auth = b64("ci:Tq7x-9w");  // 10 bytes: 16 characters with padding
    const std::string short_auth = b64("bot:pass");  // 8 bytes: 12 characters
    REQUIRE(short_auth.size() == 12);
    const std::string json = R"({"auths":{"a.example.test":{"auth":")" + short_auth + R"("},"b.example.test":{"auth":")" +
                             auth + R"("}}})";
    CHECK(spans(json).size() == 1);  // the defaults look at 16 characters or more
    auto nested = spans(json, decode::nested_options());
    REQUIRE(nested.size() == 2);
    CHECK(nested[0].text == "bot:pass");
    CHECK(nested[0].start == json.find(short_auth));
    CHECK(nested[1].text == "ci:Tq7x-9w");
}

TEST_CASE("base64url with and without padding", "[scanners][decode]") {
    // '>' and '?' at the third byte of a group give 62 and 63: '-' and '_' in base64url.
    const std::string plain = "why??? a>b>c? ~~~ long enough";
    const std::string url = b64(plain, true, false);
    REQUIRE(url.find_first_of("-_") != std::string::npos);
    auto out = spans("token=" + url + " ");
    REQUIRE(out.size() == 1);
    CHECK(std::string(out[0].kind) == "base64url");
    CHECK(out[0].text == plain);
    CHECK(out[0].end == 6 + url.size());
    auto padded = spans("\"" + b64(plain, true, true) + "\"");
    REQUIRE(padded.size() == 1);
    CHECK(padded[0].text == plain);
    // The standard alphabet of the same text is "base64".
    auto std_out = spans(b64(plain));
    REQUIRE(std_out.size() == 1);
    CHECK(std::string(std_out[0].kind) == "base64");
    // Mixing the alphabets is not base64.
    std::string mixed = b64(plain);
    mixed[mixed.find_first_of("+/")] = '_';
    CHECK(spans(mixed).empty());
}

TEST_CASE("truncated base64 decodes its complete groups; bad padding is no span", "[scanners][decode]") {
    const std::string plain = "an environment file cut in the middle";
    const std::string enc = b64(plain, false, false);  // 50 characters: 4k+2
    REQUIRE(enc.size() % 4 == 2);
    auto cut1 = spans(enc.substr(0, enc.size() - 1));  // 4k+1: one stray character
    REQUIRE(cut1.size() == 1);
    CHECK(cut1[0].text == plain.substr(0, 36));
    CHECK(cut1[0].end == enc.size() - 1);  // the span still covers the whole run
    auto cut3 = spans(enc.substr(0, enc.size() - 3));
    REQUIRE(cut3.size() == 1);
    CHECK(plain.rfind(cut3[0].text, 0) == 0);  // a prefix of the original
    CHECK(cut3[0].text.size() == 35);

    const std::string ok = "aGVsbG8gd29ybGQgaGVsbG8=";  // "hello world hello"
    REQUIRE(spans(ok).size() == 1);
    CHECK(spans("aGVsbG8gd29ybGQgaGVsbG8===").empty());    // three '='
    CHECK(spans("aGVsbG8gd29ybGQgaGVsbA=").empty());        // padding to a length of 23
    CHECK(spans("aGVsbG8gd29ybGQgaGVsbG8gd29y==").empty()); // padding past a full group
    // A stray character splits the run; each part is judged alone (here: too short, and
    // padded to a length of 22).
    CHECK(spans("aG$VsbG8gd29ybGQgaGVsbG8=").empty());
}

TEST_CASE("base64 of binary is no span: random bytes, a PNG, a DER certificate", "[scanners][decode]") {
    for (uint32_t seed = 1; seed <= 50; ++seed) {
        INFO("seed " << seed);
        CHECK(spans("blob: " + b64(random_bytes(48, seed)) + "\n").empty());
    }
    std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0", 29);
    png += random_bytes(200, 3);
    CHECK(spans("<img src=\"" + b64(png) + "\">").empty());
    CHECK(spans("logo: " + b64(png)).empty());

    // A certificate's DER: SEQUENCE of SEQUENCE, version, serial, the signature algorithm's
    // OID, then names made of printable strings (the part that is mostly ASCII).
    std::string der("\x30\x82\x01\x8a\x30\x82\x01\x30\xa0\x03\x02\x01\x02\x02\x14", 15);
    der += random_bytes(20, 9);
    der += std::string("\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x02\x30\x1d\x31\x1b\x30\x19\x06\x03\x55\x04\x03\x0c\x12",
                       25);
    der += "build.internal.test";
    der += std::string("\x30\x1e\x17\x0d", 4) + "261201000000Z" + std::string("\x17\x0d", 2) + "271201000000Z";
    der += random_bytes(180, 10);
    const std::string body = b64(der);
    std::string pem = "-----BEGIN CERTIFICATE-----\n";
    for (size_t i = 0; i < body.size(); i += 64) pem += body.substr(i, 64) + "\n";
    pem += "-----END CERTIFICATE-----\n";
    CHECK(spans(pem).empty());
    CHECK(spans(body).empty());  // unwrapped too
}

TEST_CASE("runs that are plainly not base64 are not decoded", "[scanners][decode]") {
    CHECK(spans("sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08").empty());
    CHECK(spans("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855").empty());
    CHECK(spans("#include <x86_64-linux-gnu/bits/typesizes.h>").empty());
    CHECK(spans("averyveryverylongidentifiername = ANOTHER_VERY_LONG_CONSTANT_NAME;").empty());
    CHECK(spans("a/b/c/d/e/f/g/h/i/j/k/l/m/n").empty());
    // These two decode to printable text, and are still not base64 by their look: one case
    // of letters only, and hex digits only.
    REQUIRE(is_text(nhi::util::base64_decode("d1dwa0o1d2khc2dy").value()));
    CHECK(spans("id: d1dwa0o1d2khc2dy").empty());
    REQUIRE(is_text(nhi::util::base64_decode("a01Aa01Ba01Ca01Da01E").value()));
    CHECK(spans("digest: a01Aa01Ba01Ca01Da01E").empty());
    CHECK(spans("/usr/share/doc/SomeProject/ReleaseNotes/Version2").empty());
    // Short runs are below min_base64 even when they decode: "hunter2!" is 12 characters.
    CHECK(spans("pw: aHVudGVyMiE=").empty());
    decode::Options o;
    o.min_base64 = 12;
    CHECK(spans("pw: aHVudGVyMiE=", o).size() == 1);
}

TEST_CASE("data: URIs: base64 and percent payloads of text types", "[scanners][decode]") {
    const std::string cfg = "DB_PASSWORD=Pq7-wxr-2mv\nAPI_URL=https://api.internal.test\n";
    const std::string uri = "data:text/plain;charset=utf-8;base64," + b64(cfg);
    const std::string text = "<a href=\"" + uri + "\">config</a>";
    auto out = spans(text);
    REQUIRE(out.size() == 1);
    CHECK(std::string(out[0].kind) == "data-uri");
    CHECK(out[0].start == text.find("data:"));
    CHECK(out[0].end == out[0].start + uri.size());
    CHECK(out[0].text == cfg);

    auto json = spans("url: data:application/json,%7B%22token%22%3A%22abc-123-def%22%7D ");
    REQUIRE(json.size() == 1);
    CHECK(json[0].text == R"({"token":"abc-123-def"})");
    CHECK(json[0].start == 5);

    // Default media type, payload unencoded but percent escapes in it.
    auto plain = spans("x=data:,user%3Aname%40host%2Fpath");
    REQUIRE(plain.size() == 1);
    CHECK(plain[0].text == "user:name@host/path");
    CHECK(plain[0].start == 2);

    // An image is skipped by its type even when its payload would decode to text.
    CHECK(spans("src=\"data:image/png;base64," + b64(cfg) + "\"").empty());
    // A binary payload of an untyped URI is no span.
    CHECK(spans("data:application/octet-stream;base64," + b64(random_bytes(60, 4))).empty());
    // `metadata:` is not a data: URI (the value after it is a plain word).
    CHECK(spans("metadata:,user%3Aname%40host%2Fpath").size() == 1);
    CHECK(std::string(spans("metadata:,user%3Aname%40host%2Fpath")[0].kind) == "percent");
    // A Secret's `data:` key is not one either.
    CHECK(spans("data:\n  token: " + b64("a token long enough")).size() == 1);
    // An unencoded payload hides nothing: no span.
    CHECK(spans("<script src=\"data:text/javascript,console.log(1)\"></script>").empty());
    // A broken base64 payload: no span and no crash.
    CHECK(spans("data:text/plain;base64,SGVsbG8g$$$d29ybGQ=").empty());
}

TEST_CASE("percent-encoding: a URL with escaped punctuation is decoded, a %20 in prose is not",
          "[scanners][decode]") {
    const std::string text = "DATABASE_URL: postgres://app:S3cr%40t%21pw@db/x\n";
    auto out = spans(text);
    REQUIRE(out.size() == 1);
    CHECK(std::string(out[0].kind) == "percent");
    CHECK(out[0].text == "postgres://app:S3cr@t!pw@db/x");
    CHECK(out[0].start == text.find("postgres"));
    CHECK(out[0].end == text.find('\n'));

    const std::string token = fake_ghp(11);
    auto q = spans("GET /hook?token=" + token + "&sig=YWJj%3D HTTP/1.1");
    REQUIRE(q.size() == 1);
    CHECK(q[0].text == "/hook?token=" + token + "&sig=YWJj=");

    CHECK(spans("See https://example.com/docs/Getting%20Started for more.").empty());
    CHECK(spans("https://en.wikipedia.org/wiki/Caf%C3%A9_au_lait").empty());  // non-ASCII only
    CHECK(spans("printf(\"%3d%%\", n);").empty());
    CHECK(spans("progress 100% done, 50%off").empty());  // no valid escape
    CHECK(spans("bad%zzescape%4").empty());
    // An escape of a control character is not text.
    CHECK(spans("https://example.com/?a=%01%02%03%04%05&b=%3D").empty());
}

TEST_CASE("\\u escapes in a JSON string: the whole string is the span", "[scanners][decode]") {
    const std::string token = fake_ghp(21);
    std::string escaped;
    for (char c : token) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
        escaped += buf;
    }
    const std::string text = R"({"token": ")" + escaped + R"(", "x": 1})";
    auto out = spans(text);
    REQUIRE(out.size() == 1);
    CHECK(std::string(out[0].kind) == "escape");
    CHECK(out[0].text == token);
    CHECK(out[0].start == text.find("\\u"));
    CHECK(out[0].end == text.find("\\u") + escaped.size());

    // Literal characters and other escapes around them are part of the string.
    auto mixed = spans(R"(s = "key=\u0041BC\"def\\ghi\n")")[0];
    CHECK(mixed.text == "key=ABC\"def\\ghi\n");
    CHECK(mixed.start == 5);

    // A surrogate pair is one code point; a lone one is U+FFFD; \u{...} is JS's form.
    auto pair = spans(R"("smile \uD83D\uDE00 \u0021\u0021")");
    REQUIRE(pair.size() == 1);
    CHECK(pair[0].text == "smile \xF0\x9F\x98\x80 !!");
    auto lone = spans(R"("lone \uD83D then \u0041\u0042")");
    REQUIRE(lone.size() == 1);
    CHECK(lone[0].text == "lone \xEF\xBF\xBD then AB");
    auto low = spans(R"("low \uDE00 first \u0041\u0042")");
    REQUIRE(low.size() == 1);
    CHECK(low[0].text == "low \xEF\xBF\xBD first AB");
    auto braces = spans(R"("\u{67}\u{68}\u{70}_and \u{1F600}")");
    REQUIRE(braces.size() == 1);
    CHECK(braces[0].text == "ghp_and \xF0\x9F\x98\x80");

    // A broken escape is kept as written.
    auto broken = spans(R"("\u12 and \u0041\u0042\u0043")");
    REQUIRE(broken.size() == 1);
    CHECK(broken[0].text == "\\u12 and ABC");
    auto at_end = spans("\"\\u0041\\u0042 tail \\u00");
    REQUIRE(at_end.size() == 1);
    CHECK(at_end[0].text == "AB tail \\u00");

    // Only non-ASCII escapes (an i18n string) and a NUL (binary) are no span.
    CHECK(spans(R"({"greeting": "\u00e9cole \u00e0 la maison"})").empty());
    CHECK(spans(R"("null\u0000 byte \u0041\u0042")").empty());
    // An apostrophe between letters does not open the string; an escaped quote does not either.
    auto apos = spans(R"(msg = "it's \u0041\u0042\u0043 here", next = 1)");
    REQUIRE(apos.size() == 1);
    CHECK(apos[0].text == "it's ABC here");
    auto esc = spans(R"(msg = "say \"hi\" \u0041\u0042\u0043", next = 1)");
    REQUIRE(esc.size() == 1);
    CHECK(esc[0].text == "say \"hi\" ABC");
    // A string with no opening quote on its line: from the escape to the next space.
    auto bare = spans("key: value\n  \\u0067\\u0068\\u0070_abcdefgh rest");
    REQUIRE(bare.size() == 1);
    CHECK(bare[0].text == "ghp_abcdefgh");
}

TEST_CASE("\\x escapes: bytes, UTF-8 sequences and Latin-1", "[scanners][decode]") {
    auto out = spans(R"(s = '\x67\x68\x70\x5f\x41\x42\x43\x44';)");
    REQUIRE(out.size() == 1);
    CHECK(out[0].text == "ghp_ABCD");
    CHECK(out[0].start == 5);
    auto utf8 = spans(R"("\x41\x42 caf\xc3\xa9 \xe9t\xe9")");
    REQUIRE(utf8.size() == 1);
    CHECK(utf8[0].text == "AB caf\xC3\xA9 \xC3\xA9t\xC3\xA9");
    CHECK(spans(R"(char b[] = "\x00\x01\x02\x03\x04\x05\x06\x07";)").empty());
    auto bad = spans(R"("\xZZ then \x41\x42\x43 ok")");
    REQUIRE(bad.size() == 1);
    CHECK(bad[0].text == "\\xZZ then ABC ok");
}

TEST_CASE("spans are ordered and never overlap in a mixed document", "[scanners][decode]") {
    const std::string token = fake_ghp(5);
    const std::string text = "a: " + b64("first value in base64") + "\nb: \"\\u0041\\u0042" + b64("not decoded here") +
                             "\"\nc: https://u:p%40ss@h/x\nd: data:,%41%42%43%44%45%46%47%48\ne: " + b64(token) +
                             "\n";
    auto out = spans(text);
    REQUIRE(out.size() == 5);
    CHECK(std::string(out[0].kind) == "base64");
    CHECK(std::string(out[1].kind) == "escape");
    CHECK(std::string(out[2].kind) == "percent");
    CHECK(std::string(out[3].kind) == "data-uri");
    CHECK(out[4].text == token);
}

TEST_CASE("max_spans and max_output are respected", "[scanners][decode]") {
    std::string text;
    std::vector<std::string> values;
    for (int i = 0; i < 6; ++i) {
        values.push_back("value number " + std::to_string(i) + " of six");
        text += "k" + std::to_string(i) + ": " + b64(values.back()) + "\n";
    }
    REQUIRE(spans(text).size() == 6);
    decode::Options o;
    o.max_spans = 2;
    auto two = spans(text, o);
    REQUIRE(two.size() == 2);
    CHECK(two[0].text == values[0]);
    CHECK(two[1].text == values[1]);
    o.max_spans = 0;
    CHECK(spans(text, o).empty());

    decode::Options bytes;
    bytes.max_output = values[0].size() * 3;  // room for three of the (equally long) values
    auto three = spans(text, bytes);
    size_t total = 0;
    for (const auto& s : three) total += s.text.size();
    CHECK(three.size() == 3);
    CHECK(total <= bytes.max_output);
    bytes.max_output = 5;
    CHECK(spans(text, bytes).empty());
}

TEST_CASE("charset sniffing: BOMs, UTF-16 without a BOM, binary that is not UTF-16", "[scanners][decode]") {
    const std::u16string ps = u"$token = 'abc'\r\nWrite-Host $token\r\n";
    CHECK(decode::sniff_charset("\xEF\xBB\xBFplain") == Charset::Utf8Bom);
    CHECK(decode::sniff_charset("\xFF\xFE" + utf16(ps, true)) == Charset::Utf16Le);
    CHECK(decode::sniff_charset("\xFE\xFF" + utf16(ps, false)) == Charset::Utf16Be);
    CHECK(decode::sniff_charset(utf16(ps, true)) == Charset::Utf16Le);
    CHECK(decode::sniff_charset(utf16(ps, false)) == Charset::Utf16Be);
    CHECK(decode::sniff_charset("plain ASCII text\n") == Charset::Utf8);
    CHECK(decode::sniff_charset("") == Charset::Utf8);
    CHECK(decode::sniff_charset(std::string("a\0b\0", 4)) == Charset::Utf8);  // too short to judge

    // Binary with zero bytes in every other position: little-endian 16-bit counters (values
    // under 256, so every high byte is zero) are not text, and random bytes are not either.
    std::string counters;
    for (int i = 0; i < 512; ++i) counters += {static_cast<char>(i % 256), '\0'};
    CHECK(decode::sniff_charset(counters) == Charset::Utf8);
    CHECK(decode::sniff_charset(random_bytes(4096, 2)) == Charset::Utf8);
    std::string sparse = random_bytes(4096, 3);
    for (size_t i = 1; i < sparse.size(); i += 2) sparse[i] = '\0';  // zero high bytes, random low
    CHECK(decode::sniff_charset(sparse) == Charset::Utf8);
    // A binary file that happens to begin with FF FE, and UTF-32LE, are not UTF-16.
    CHECK(decode::sniff_charset("\xFF\xFE" + counters.substr(2)) == Charset::Utf8);
    CHECK(decode::sniff_charset(std::string("\xFF\xFE\0\0a\0\0\0", 8)) == Charset::Utf8);

    CHECK(std::string(decode::charset_name(Charset::Utf16Le)) == "utf-16le");
    CHECK(std::string(decode::charset_name(Charset::Utf16Be)) == "utf-16be");
    CHECK(std::string(decode::charset_name(Charset::Utf8Bom)) == "utf-8-bom");
    CHECK(std::string(decode::charset_name(Charset::Utf8)) == "utf-8");
}

TEST_CASE("to_utf8 drops the BOM, keeps line breaks and replaces what is invalid", "[scanners][decode]") {
    const std::u16string ps = u"$token = 'abc'\r\nWrite-Host \u00e9\U0001F600\r\nend";
    const std::string expect = "$token = 'abc'\r\nWrite-Host \xC3\xA9\xF0\x9F\x98\x80\r\nend";
    CHECK(decode::to_utf8("\xFF\xFE" + utf16(ps, true), Charset::Utf16Le) == expect);
    CHECK(decode::to_utf8("\xFE\xFF" + utf16(ps, false), Charset::Utf16Be) == expect);
    CHECK(decode::to_utf8(utf16(ps, true), Charset::Utf16Le) == expect);
    CHECK(decode::to_utf8(utf16(ps, false), Charset::Utf16Be) == expect);
    // An odd trailing byte is dropped.
    CHECK(decode::to_utf8(utf16(u"abc", true) + "x", Charset::Utf16Le) == "abc");
    // Unpaired surrogates (a high one at the end, a high one before a plain unit, a low one).
    CHECK(decode::to_utf8(utf16(u"a", true) + std::string("\x3D\xD8", 2), Charset::Utf16Le) == "a\xEF\xBF\xBD");
    CHECK(decode::to_utf8(std::string("\x3D\xD8" "b\0" "\x00\xDE", 6), Charset::Utf16Le) ==
          "\xEF\xBF\xBD" "b" "\xEF\xBF\xBD");
    // UTF-8: the BOM goes, the bytes stay (invalid ones too, so columns do not move).
    CHECK(decode::to_utf8("\xEF\xBB\xBFkey: value\n", Charset::Utf8Bom) == "key: value\n");
    CHECK(decode::to_utf8("key\xFF: value\n", Charset::Utf8) == "key\xFF: value\n");
    CHECK(decode::to_utf8("", Charset::Utf16Le).empty());
}

TEST_CASE("wrapped base64 is decoded as one block: a PEM body is binary, a wrapped text one span",
          "[scanners][decode]") {
    // A certificate-like DER whose middle holds a long printable name: taken line by line,
    // the line over the name would decode to text.
    std::string der("\x30\x82\x02\x10\x30\x82\x01\xb8\xa0\x03\x02\x01\x02", 13);
    der += random_bytes(35, 21);
    der += "Example Certification Authority For Internal Testing Only, Department of Examples";
    der += random_bytes(120, 22);
    const std::string body = b64(der);
    std::string pem = "-----BEGIN CERTIFICATE-----\n";
    for (size_t i = 0; i < body.size(); i += 64) pem += body.substr(i, 64) + "\n";
    pem += "-----END CERTIFICATE-----\n";
    // The premise: one of its lines alone is text.
    bool a_line_is_text = false;
    for (size_t i = 0; i + 64 <= body.size(); i += 64) a_line_is_text |= !spans(body.substr(i, 64)).empty();
    REQUIRE(a_line_is_text);
    CHECK(spans(pem).empty());
    CHECK(spans("cert: |\n  " + pem.substr(28, body.size() + body.size() / 64) ).empty());

    // A text wrapped at 76 (base64(1)), CRLF line ends, indented under a YAML key.
    std::string env;
    for (int i = 0; i < 6; ++i) env += "SETTING_" + std::to_string(i) + "=value-for-setting-number-" + std::to_string(i) + "\n";
    const std::string enc = b64(env);
    REQUIRE(enc.size() > 2 * 76);
    std::string yaml = "values: |\r\n";
    const size_t first = yaml.size() + 4;
    for (size_t i = 0; i < enc.size(); i += 76) yaml += "    " + enc.substr(i, 76) + "\r\n";
    yaml += "other: 1\r\n";
    auto out = spans(yaml);
    REQUIRE(out.size() == 1);
    CHECK(out[0].text == env);
    CHECK(out[0].start == first);
    CHECK(out[0].end == yaml.find("\r\nother"));
}

TEST_CASE("a line continuation ends an escaped string", "[scanners][decode]") {
    auto out = spans("x = \"\\u0041\\u0042\\u0043 and more \\\n   next line text\"");
    REQUIRE(out.size() == 1);
    CHECK(out[0].text == "ABC and more ");
}

TEST_CASE("the 16-byte hot loop and the byte loop find the same spans", "[scanners][decode]") {
    // min_base64 under 16 takes the byte loop; with every run here longer than 16, both
    // must give the same spans whatever byte separates the pieces.
    decode::Options bytewise;
    bytewise.min_base64 = 15;
    const std::string piece = b64("twenty-four bytes of txt");
    for (int b = 0; b < 256; ++b) {
        INFO("separator byte " << b);
        const std::string sep(1, static_cast<char>(b));
        std::string text;
        for (int k = 0; k < 3; ++k)
            text += "ab" + sep + piece + sep + "u=%41%42%43%44%45%46%47%48" + sep + "\"\\u0041\\u0042\\u0043\\u0044wxyz\"" +
                    sep + std::string(k * 7, 'q') + sep;
        const auto fast = find_spans(text);
        const auto slow = find_spans(text, bytewise);
        decode::Options sse2;
        sse2.hot_loop = 16;
        const auto narrow = find_spans(text, sse2);
        REQUIRE(fast.size() == slow.size());
        REQUIRE(narrow.size() == slow.size());
        for (size_t i = 0; i < fast.size(); ++i) {
            CHECK(fast[i].start == slow[i].start);
            CHECK(fast[i].end == slow[i].end);
            CHECK(fast[i].text == slow[i].text);
            CHECK(narrow[i].start == slow[i].start);
            CHECK(narrow[i].end == slow[i].end);
        }
        if (b == ' ') CHECK(fast.size() >= 9);  // the premise: spans were found
    }
}

// The 32-byte loop (AVX2, where the CPU has it) must see every event the 16-byte one does:
// a word reaching 16 characters anywhere in a block, one running across blocks, a '%' or
// backslash at any offset. Texts built from pieces of every kind at random offsets.
TEST_CASE("the 32-byte, 16-byte and byte loops find the same spans at every offset", "[scanners][decode]") {
    const std::vector<std::string> pieces = {
        " ", "\n", "\t", "\"", "'", "(", ")", "<", "{", "|", "`", "\\", "%", "%41", "%2F%3D", "x", "ab",
        "CURLOPT_SSL_VERIFYPEER", "Curl_ssl_connect_nonblocking", std::string(15, 'Q'), std::string(16, 'q'),
        std::string(40, '*'), b64("a password: hunter2-horse"), b64("user:Pa55w0rd-long"), "data:text/plain;base64,",
        "\\u0067\\u0068\\u0070", "\\x41\\x42", "\\/", "https://user:p%40ss@example.com/x?y=%7Bz%7D", "==",
        "\xc3\xa9", "\x7f", "\x01",
    };
    decode::Options sse2, bytewise;
    sse2.hot_loop = 16;
    bytewise.min_base64 = 15;  // the byte loop; its runs of 15 may add spans, so it is compared on runs of 16+
    uint32_t seed = 12345;
    auto next = [&] { return seed = seed * 1103515245u + 12345u; };
    size_t found = 0;
    for (int round = 0; round < 400; ++round) {
        std::string text(next() % 40, ' ');
        while (text.size() < 300) text += pieces[(next() >> 8) % pieces.size()];
        const auto wide = find_spans(text), narrow = find_spans(text, sse2);
        INFO("round " << round);
        REQUIRE(wide.size() == narrow.size());
        for (size_t i = 0; i < wide.size(); ++i) {
            CHECK(wide[i].start == narrow[i].start);
            CHECK(wide[i].end == narrow[i].end);
            CHECK(wide[i].text == narrow[i].text);
            CHECK(std::string_view(wide[i].kind) == narrow[i].kind);
        }
        found += wide.size();
    }
    CHECK(found > 400);  // the premise: the texts hold spans of every kind
}

