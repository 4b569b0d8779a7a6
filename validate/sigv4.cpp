#include "validate/sigv4.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "util/hash.hpp"
#include "util/text.hpp"
#include "validate/http.hpp"

namespace nhi::validate {

namespace {

std::string hmac(const std::string& key, const std::string& data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         out, &len);
    return std::string(reinterpret_cast<char*>(out), len);
}

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t");
    size_t e = s.find_last_not_of(" \t");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string percent_decode(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() + 0 && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += char(std::stoi(s.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else if (s[i] == '+') {
            out += ' ';
        } else {
            out += s[i];
        }
    }
    return out;
}

// Each name and value decoded then encoded the way AWS wants (RFC 3986 unreserved), sorted by
// name then value.
std::string canonical_query(const std::string& q) {
    std::vector<std::pair<std::string, std::string>> params;
    size_t pos = 0;
    while (pos <= q.size() && !q.empty()) {
        size_t amp = q.find('&', pos);
        if (amp == std::string::npos) amp = q.size();
        std::string part = q.substr(pos, amp - pos);
        if (!part.empty()) {
            auto eq = part.find('=');
            std::string k = eq == std::string::npos ? part : part.substr(0, eq);
            std::string v = eq == std::string::npos ? "" : part.substr(eq + 1);
            params.emplace_back(percent_encode(percent_decode(k)), percent_encode(percent_decode(v)));
        }
        pos = amp + 1;
    }
    std::sort(params.begin(), params.end());
    std::string out;
    for (const auto& [k, v] : params) out += (out.empty() ? "" : "&") + k + "=" + v;
    return out;
}

// Each path segment encoded once (STS and IAM paths are "/": this is for completeness).
std::string canonical_path(const std::string& p) {
    if (p.empty()) return "/";
    std::string out;
    size_t pos = 0;
    while (pos <= p.size()) {
        size_t slash = p.find('/', pos);
        if (slash == std::string::npos) slash = p.size();
        out += percent_encode(percent_decode(p.substr(pos, slash - pos)));
        if (slash < p.size()) out += '/';
        pos = slash + 1;
    }
    return out;
}

}  // namespace

SigV4Signature sign_v4(const SigV4Request& r) {
    SigV4Signature s;
    std::time_t t = std::time_t(r.time);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    s.amz_date = buf;
    std::string date = s.amz_date.substr(0, 8);

    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& [n, v] : r.headers) {
        std::string name = util::lower(n);
        if (name == "host" || name == "x-amz-date" || name == "authorization") continue;
        headers.emplace_back(name, trim(v));
    }
    headers.emplace_back("host", util::lower(r.host));
    headers.emplace_back("x-amz-date", s.amz_date);
    std::sort(headers.begin(), headers.end());
    std::string canonical_headers, signed_headers;
    for (const auto& [n, v] : headers) {
        canonical_headers += n + ":" + v + "\n";
        signed_headers += (signed_headers.empty() ? "" : ";") + n;
    }
    s.canonical_request = r.method + "\n" + canonical_path(r.path) + "\n" + canonical_query(r.query) + "\n" +
                          canonical_headers + "\n" + signed_headers + "\n" + util::sha256_hex(r.body);
    std::string scope = date + "/" + r.region + "/" + r.service + "/aws4_request";
    s.string_to_sign = "AWS4-HMAC-SHA256\n" + s.amz_date + "\n" + scope + "\n" + util::sha256_hex(s.canonical_request);
    std::string key = hmac(hmac(hmac(hmac("AWS4" + r.secret, date), r.region), r.service), "aws4_request");
    s.signature = util::to_hex(hmac(key, s.string_to_sign));
    s.authorization = "AWS4-HMAC-SHA256 Credential=" + r.key_id + "/" + scope + ", SignedHeaders=" + signed_headers +
                      ", Signature=" + s.signature;
    return s;
}

}  // namespace nhi::validate
