#include "rules/filters.hpp"

#include <array>
#include <set>
#include <string_view>

#include "util/text.hpp"

namespace nhi::rules {

bool is_placeholder(std::string_view secret, bool weak_is_secret, bool context) {
    if (secret.empty()) return true;
    std::string s = util::lower(secret);

    // Template and reference syntaxes: ${X}, {{ x }}, <your-key>, %(x)s, #{x}, $X.
    static const std::array<std::string_view, 10> starts = {"${", "{{", "<", "%(", "%{", "#{", "$", "@", "{%", "&lt;"};
    for (auto p : starts)
        if (s.rfind(p, 0) == 0) return true;
    if (s.find("${") != std::string::npos || s.find("{{") != std::string::npos) return true;

    // Environment and secret-store lookups captured where a literal was expected.
    static const std::array<std::string_view, 18> refs = {
        "process.env", "os.environ", "os.getenv", "getenv(", "system.getenv", "env[", "env.", "secrets.",
        "vault:", "arn:", "ssm:", "keyvault", "var.", "data.", "local.", "module.", "each.", "self."};
    for (auto p : refs)
        if (s.rfind(p, 0) == 0) return true;

    // %VAR% is a Windows environment reference.
    if (s.size() > 2 && s.front() == '%' && s.back() == '%') return true;

    // A CSS selector or anchor (#add-password, .login-form) or a UI label ("Password:").
    if ((s[0] == '#' || s[0] == '.') && s.size() > 1 &&
        s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-", 1) == std::string::npos)
        return true;
    if (s.back() == ':') return true;

    // Words that documentation and templates put where the secret goes.
    // d1fficultp@ssw0rd is the password in MongoDB's connection-string documentation.
    static const std::array<std::string_view, 15> words = {
        "example", "xxxx", "****", "changeme", "change_me", "change-me", "placeholder",
        "redacted", "your_", "your-", "yourkey", "insert_", "replace_me", "d1fficultp", "<redacted>"};
    if (context) {
        // Hosts and users: example.com is a real-looking value in a leaked config, but the
        // uppercase documentation marker, filler and template syntax are not.
        if (secret.find("EXAMPLE") != std::string_view::npos || s.find("xxxx") != std::string::npos ||
            s.find("your_") != std::string::npos || s.find("your-") != std::string::npos ||
            s.find("changeme") != std::string::npos || s.find("placeholder") != std::string::npos)
            return true;
        return false;
    }
    for (auto w : words)
        if (s.find(w) != std::string::npos) return true;
    if (s.find("...") != std::string::npos || s.find("\xe2\x80\xa6") != std::string::npos) return true;

    // Filler that documentation puts where a password goes.
    static const std::set<std::string_view> filler = {
        "token", "apikey", "api_key", "key", "value", "username", "user", "testing", "dummy", "sample", "none",
        "null", "empty", "foobar", "foo", "bar", "string", "true", "false", "yes", "no", "on", "off", "required",
        "optional", "enabled", "disabled", "undefined", "nil", "yourpassword"};
    if (filler.count(s)) return true;
    // Weak but working passwords: filler in documentation, live credentials in a .netrc.
    static const std::set<std::string_view> weak = {
        "password", "passwd", "pass", "pwd", "secret", "admin", "test", "pa55word", "p@ssw0rd", "passw0rd",
        "mypassword", "root", "guest"};
    if (!weak_is_secret && weak.count(s)) return true;

    // Keyboard and counting runs that people type to fill a slot: abcdefgh, 12345678, a1b2c3d4.
    static const std::array<std::string_view, 6> runs = {"abcdefgh", "12345678", "a1b2c3d4", "qwertyui",
                                                         "01234567", "1a2b3c4d"};
    for (auto r : runs)
        if (s.find(r) != std::string::npos) return true;

    // One or two distinct characters (000000, abababab) is filler, not a key.
    std::set<char> distinct(s.begin(), s.end());
    if (s.size() >= 4 && distinct.size() <= 2) return true;
    return false;
}

bool line_allows(std::string_view line) { return line.find("nhi:allow") != std::string_view::npos; }

}  // namespace nhi::rules
