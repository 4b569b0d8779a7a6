#include "validate/google_jwt.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "validate/http.hpp"

namespace nhi::validate {

namespace {

using nlohmann::json;

struct KeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioFree {
    void operator()(BIO* b) const { BIO_free(b); }
};
struct MdFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

// Never prompt for a pass phrase (OpenSSL's default callback reads the terminal).
int no_passphrase(char*, int, int, void*) { return -1; }

// A PEM taken from inside a JSON string keeps its "\n" escapes: make them line breaks.
std::string unescape_newlines(std::string pem) {
    std::string out;
    for (size_t i = 0; i < pem.size(); ++i) {
        if (pem[i] == '\\' && i + 1 < pem.size() && pem[i + 1] == 'n') {
            out += '\n';
            ++i;
        } else {
            out += pem[i];
        }
    }
    return out;
}

std::string get(const std::map<std::string, std::string>& values, const std::string& name) {
    auto it = values.find(name);
    return it == values.end() ? "" : it->second;
}

}  // namespace

std::string base64url(std::string_view bytes) {
    std::string s = base64(bytes);
    while (!s.empty() && s.back() == '=') s.pop_back();
    for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
    return s;
}

util::Expected<GoogleKey> google_key(const std::map<std::string, std::string>& values) {
    GoogleKey k;
    const std::string secret = get(values, "secret");
    json file = json::parse(secret, nullptr, false);
    if (file.is_object()) {
        auto str = [&](const char* name) { return file.contains(name) && file[name].is_string() ? file[name].get<std::string>() : ""; };
        k.private_key_pem = str("private_key");
        k.client_email = str("client_email");
        k.key_id = str("private_key_id");
    } else if (secret.rfind("-----BEGIN", 0) == 0) {
        k.private_key_pem = secret;
    } else {
        k.key_id = secret;
    }
    if (k.private_key_pem.empty()) k.private_key_pem = get(values, "private_key");
    if (k.client_email.empty()) k.client_email = get(values, "client_email");
    if (k.private_key_pem.empty()) return util::Error{"google-jwt", "no private key to sign with"};
    if (k.client_email.empty()) return util::Error{"google-jwt", "no client_email to sign with"};
    k.private_key_pem = unescape_newlines(k.private_key_pem);
    return k;
}

util::Expected<std::string> google_jwt(const GoogleKey& key, const std::string& token_url, int64_t now) {
    const util::Error bad{"google-jwt", "the private key is not an unencrypted rsa key"};
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(key.private_key_pem.data(), int(key.private_key_pem.size())));
    if (!bio) return bad;
    std::unique_ptr<EVP_PKEY, KeyFree> pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
    if (!pkey || EVP_PKEY_base_id(pkey.get()) != EVP_PKEY_RSA) return bad;

    json header = {{"alg", "RS256"}, {"typ", "JWT"}};
    if (!key.key_id.empty()) header["kid"] = key.key_id;
    json claims = {{"iss", key.client_email},
                   {"scope", "https://www.googleapis.com/auth/cloud-platform"},
                   {"aud", token_url},
                   {"iat", now},
                   {"exp", now + 3600}};
    auto dump = [](const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); };
    std::string input = base64url(dump(header)) + "." + base64url(dump(claims));

    std::unique_ptr<EVP_MD_CTX, MdFree> md(EVP_MD_CTX_new());
    size_t len = 0;
    if (!md || EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, pkey.get()) != 1 ||
        EVP_DigestSign(md.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
        return bad;
    std::string sig(len, '\0');
    if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
        return bad;
    sig.resize(len);
    return input + "." + base64url(sig);
}

}  // namespace nhi::validate
