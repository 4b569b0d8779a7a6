#include "rules/filters.hpp"

#include <array>
#include <cctype>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "util/text.hpp"

namespace nhi::rules {

namespace {

// Weak but working passwords: filler in documentation, live credentials in a .netrc. Compared
// after folding the usual digit-for-letter swaps (p@ssw0rd, s3cret), spaces and separators.
bool is_weak_password(std::string_view lowered) {
    std::string folded;
    for (size_t i = 0; i < lowered.size(); ++i) {
        char c = lowered[i];
        if (c == '%' && lowered.compare(i, 3, "%40") == 0) {  // URL-encoded '@' in a connection string
            c = '@';
            i += 2;
        }
        switch (c) {
            case '0': folded += 'o'; break;
            case '1': folded += 'i'; break;
            case '3': folded += 'e'; break;
            case '4': case '@': folded += 'a'; break;
            case '5': case '$': folded += 's'; break;
            case ' ': case '-': case '_': case '!': break;
            default: folded += c;
        }
    }
    static const std::set<std::string_view> weak = {
        "password", "passwd", "pass", "pwd", "secret", "admin", "test", "root", "guest", "mypassword",
        "mypass", "mysecret", "opensesame", "letmein", "supersecret", "secretpassword", "adminadmin"};
    if (weak.count(folded)) return true;
    // Values that specifications print as their examples: RFC 6749's access and refresh
    // tokens and client credentials, RFC 6750's bearer token. Copied often, issued never.
    static const std::set<std::string_view> documented = {
        "2yotnfzfejr1zcsicmwpaa", "tgzv3jokf0xg5qx2tlkwia", "mf_9.b5f-4.1jqm", "s6bhdrkqt3", "gx1fbat3bv",
        "7fjfp0zbr1ksnzwt6l2dty"};
    if (documented.count(lowered)) return true;
    // Anonymous FTP's password is an e-mail address by convention (-anonymous@).
    if (lowered.find("anonymous") != std::string_view::npos) return true;
    // d1fficultp@ssw0rd is the password of MongoDB's connection-string documentation.
    return folded.find("difficultpassword") != std::string::npos;
}

// private_key = server.key, "privateKey": "fixtures/certs/key.pem": the name of a key or
// certificate file is a reference to it, not its contents. base64 and hex never hold a '.',
// so no encoded key ends this way.
bool names_key_file(std::string_view lowered) {
    if (lowered.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_./~-") != std::string_view::npos) return false;
    static const std::array<std::string_view, 14> ext = {".pem", ".key", ".crt", ".cer", ".der", ".p12", ".pfx",
                                                         ".jks", ".keystore", ".pub", ".csr", ".ppk", ".p8", ".asc"};
    for (auto e : ext)
        if (lowered.size() > e.size() && lowered.compare(lowered.size() - e.size(), e.size(), e) == 0) return true;
    return false;
}

// Eight characters that count up (abcdefgh, stuvwxyz, 23456789): typed filler, whatever the
// start. A random base62 token has such a run about once in 10^12.
bool has_ascending_run(std::string_view lowered) {
    size_t run = 1;
    for (size_t i = 1; i < lowered.size(); ++i) {
        const bool up = lowered[i] == lowered[i - 1] + 1 && std::isalnum(static_cast<unsigned char>(lowered[i]));
        run = up ? run + 1 : 1;
        if (run >= 8) return true;
    }
    return false;
}

// "BC59...E08FBC59...E08F": one shorter string twice or more is typed or pasted filler; no
// issued token repeats itself. The smallest period comes from the prefix function.
bool is_repeated(std::string_view s) {
    const size_t n = s.size();
    if (n < 16) return false;
    std::vector<size_t> pi(n, 0);
    for (size_t i = 1; i < n; ++i) {
        size_t k = pi[i - 1];
        while (k > 0 && s[i] != s[k]) k = pi[k - 1];
        if (s[i] == s[k]) ++k;
        pi[i] = k;
    }
    const size_t period = n - pi[n - 1];
    return period <= n / 2 && n % period == 0;
}

// The text a padded base64 value decodes to, when it is printable ASCII; nullopt otherwise
// (random bytes, a key, anything that is not an encoded phrase).
std::optional<std::string> decoded_text(std::string_view v) {
    if (v.size() < 16 || v.size() % 4 != 0 ||
        v.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != std::string_view::npos)
        return std::nullopt;
    auto d = util::base64_decode(v);
    if (!d) return std::nullopt;
    for (unsigned char c : *d)
        if (c < 0x20 || c > 0x7e) return std::nullopt;
    return d;
}

}  // namespace

bool is_placeholder(std::string_view secret, bool weak_is_secret, bool context) {
    return classify_value(secret, weak_is_secret, context) != ValueClass::Secret;
}

ValueClass classify_value(std::string_view secret, bool weak_is_secret, bool context) {
    const ValueClass P = ValueClass::Placeholder;
    if (secret.empty()) return P;
    std::string s = util::lower(secret);

    // Template and reference syntaxes: ${X}, {{ x }}, <your-key>, %(x)s, #{x}, $X.
    static const std::array<std::string_view, 10> starts = {"${", "{{", "<", "%(", "%{", "#{", "$", "@", "{%", "&lt;"};
    for (auto p : starts)
        if (s.rfind(p, 0) == 0) return P;
    if (s.find("${") != std::string::npos || s.find("{{") != std::string::npos) return P;

    // Environment and secret-store lookups captured where a literal was expected.
    static const std::array<std::string_view, 18> refs = {
        "process.env", "os.environ", "os.getenv", "getenv(", "system.getenv", "env[", "env.", "secrets.",
        "vault:", "arn:", "ssm:", "keyvault", "var.", "data.", "local.", "module.", "each.", "self."};
    for (auto p : refs)
        if (s.rfind(p, 0) == 0) return P;

    // {self.password}, {api_key}: a format-string field (f-strings, str.format, C#).
    for (size_t open = s.find('{'); open != std::string::npos; open = s.find('{', open + 1)) {
        size_t close = s.find('}', open);
        if (close == std::string::npos) break;
        std::string_view inner = std::string_view(s).substr(open + 1, close - open - 1);
        if (!inner.empty() && (std::isalpha(static_cast<unsigned char>(inner[0])) || inner[0] == '_') &&
            inner.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_.") == std::string_view::npos &&
            (close - open - 1 < s.size() - 2 || inner.find_first_of("._") != std::string_view::npos))
            return P;
    }

    // "/$file_pwd", "pre-$NAME": a variable interpolated into a string. Only after a path or
    // word separator, so a password such as `Pa$sword` or `x9!$Kq2` stays one.
    for (size_t d = s.find('$', 1); d != std::string::npos; d = s.find('$', d + 1)) {
        if (std::string_view("/:=@.-_").find(s[d - 1]) == std::string_view::npos) continue;
        size_t e = d + 1;
        while (e < s.size() && (std::isalnum(static_cast<unsigned char>(s[e])) || s[e] == '_')) ++e;
        if (e - d - 1 >= 3 && (std::isalpha(static_cast<unsigned char>(s[d + 1])) || s[d + 1] == '_')) return P;
    }

    // %VAR% is a Windows environment reference.
    if (s.size() > 2 && s.front() == '%' && s.back() == '%') return P;

    // A CSS selector or anchor (#add-password, .login-form) or a UI label ("Password:").
    // Digits without a separator (#gets0m3) make it a password that starts with '#'.
    if ((s[0] == '#' || s[0] == '.') && s.size() > 1 &&
        s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-", 1) == std::string::npos &&
        (s.find_first_of("0123456789") == std::string::npos || s.find_first_of("_-") != std::string::npos))
        return P;
    if (s.back() == ':') return P;

    // Words that documentation and templates put where the secret goes.
    static const std::array<std::string_view, 17> words = {
        "example", "xxxx", "****", "changeme", "change_me", "change-me", "placeholder",
        "redacted", "your_", "your-", "yourkey", "insert_", "replace_me", "<redacted>",
        "notareal", "not_a_real", "not-a-real"};
    if (context) {
        // Hosts and users: example.com is a real-looking value in a leaked config, but the
        // uppercase documentation marker, filler and template syntax are not.
        if (secret.find("EXAMPLE") != std::string_view::npos || s.find("xxxx") != std::string::npos ||
            s.find("your_") != std::string::npos || s.find("your-") != std::string::npos ||
            s.find("changeme") != std::string::npos || s.find("placeholder") != std::string::npos)
            return P;
        return ValueClass::Secret;
    }
    for (auto w : words)
        if (s.find(w) != std::string::npos) return P;
    // `yourprivatecloudflareapikey`: documentation spells the slot as one word. A random
    // token starts with "your" once in 15 million.
    if (s.rfind("your", 0) == 0) return P;
    if (names_key_file(s)) return P;
    if (s.find("...") != std::string::npos || s.find("\xe2\x80\xa6") != std::string::npos) return P;

    // Filler that documentation puts where a password goes.
    static const std::set<std::string_view> filler = {
        "token", "apikey", "api_key", "key", "value", "username", "user", "testing", "dummy", "sample", "none",
        "null", "empty", "foobar", "foo", "bar", "string", "true", "false", "yes", "no", "on", "off", "required",
        "optional", "enabled", "disabled", "undefined", "nil", "yourpassword"};
    if (filler.count(s)) return P;
    if (!weak_is_secret && is_weak_password(s)) return ValueClass::Weak;

    // Keyboard and counting runs that people type to fill a slot: abcdefgh, 12345678, a1b2c3d4.
    static const std::array<std::string_view, 6> runs = {"abcdefgh", "12345678", "a1b2c3d4", "qwertyui",
                                                         "01234567", "1a2b3c4d"};
    for (auto r : runs)
        if (s.find(r) != std::string::npos) return P;
    if (has_ascending_run(s)) return P;
    if (is_repeated(s)) return P;

    // base64 of a placeholder is a placeholder (`YWJj...` for an alphabet in a TSIG example).
    if (const auto inner = decoded_text(secret)) {
        if (classify_value(*inner, weak_is_secret, context) == P) return P;
    }

    // One or two distinct characters (000000, abababab) is filler, not a key.
    std::set<char> distinct(s.begin(), s.end());
    if (s.size() >= 4 && distinct.size() <= 2) return P;
    return ValueClass::Secret;
}

}  // namespace nhi::rules
