// AWS IAM: credential report (CSV), list-access-keys,
// get-account-authorization-details. Users are keyed by name (aws:user/NAME)
// because list-access-keys carries no account id; access keys by user and
// creation time, the one join the credential report allows (it has no key ids:
// its access_key_N_last_rotated equals the key's CreateDate).
#include "scanners/importers/parsers.hpp"

#include <algorithm>

#include "util/text.hpp"

namespace nhi::scanners::importers {
namespace {

const char* kKeyRevoke =
    "aws iam update-access-key --user-name {user} --access-key-id {id} "
    "--status Inactive; "
    "aws iam delete-access-key --user-name {user} --access-key-id {id}";

// Names come from the export: each is quoted for the shell, because users paste
// these.
std::string fill(std::string t, const std::string& user, const std::string& id) {
    for (auto [k, v] : {std::pair<std::string, std::string>{"{user}", util::shell_quote(user)},
                        {"{id}", id.empty() ? "KEY_ID" : util::shell_quote(id)}})
        for (size_t at; (at = t.find(k)) != std::string::npos;) t.replace(at, k.size(), v);
    return t;
}

std::string account_of(const std::string& arn) {
    auto parts = util::split(arn, ':');
    return parts.size() > 4 ? std::string(parts[4]) : "";
}

std::string access_key_key(const std::string& user, const nlohmann::json& created) {
    return "aws:access-key:" + user + ":" + (created.is_string() ? created.get<std::string>() : "?");
}

// CSV as AWS writes it: comma-separated, optional double quotes, CRLF or LF,
// maybe no final newline.
util::Expected<std::vector<std::vector<std::string>>> read_csv(std::string_view path, std::string_view s) {
    std::vector<std::vector<std::string>> rows;
    size_t line = 1;
    for (size_t i = 0; i < s.size();) {
        std::vector<std::string> row;
        std::string field;
        bool quoted = false, done = false;
        while (i < s.size() && !done) {
            char c = s[i++];
            if (quoted) {
                if (c == '"' && i < s.size() && s[i] == '"')
                    field.push_back('"'), ++i;
                else if (c == '"')
                    quoted = false;
                else
                    field.push_back(c);
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                row.push_back(std::move(field));
                field.clear();
            } else if (c == '\n') {
                done = true;
            } else if (c != '\r') {
                field.push_back(c);
            }
        }
        if (quoted)
            return util::Error{std::string(path), "line " + std::to_string(line) + ": unterminated quoted field"};
        row.push_back(std::move(field));
        if (!(row.size() == 1 && row[0].empty())) rows.push_back(std::move(row));
        ++line;
    }
    return rows;
}

// One row of the credential report, its columns looked up by header name.
struct ReportRow {
    const std::vector<std::string>& header;
    const std::vector<std::string>& row;
    std::string_view path;
    std::string entry;  // "line N (user U)", for warnings
    ImportBatch& b;

    std::string get(const std::string& name) const {
        for (size_t i = 0; i < header.size(); ++i)
            if (header[i] == name) return row[i];
        return "";
    }
    bool flag(const std::string& name) const { return util::lower(get(name)) == "true"; }
    // A garbled date loses that date, never the row or its keys, and says so.
    nlohmann::json when(const std::string& name) const { return date(b, path, entry, name.c_str(), get(name)); }
};

// The row's access keys (slots 1 and 2 whose last_rotated is a date); returns the latest use.
nlohmann::json report_keys(const ReportRow& r, const IdentityRecord& id, bool root, const std::string& user) {
    nlohmann::json last = nullptr;
    for (int n : {1, 2}) {
        const std::string p = "access_key_" + std::to_string(n) + "_";
        if (is_no_date(r.get(p + "last_rotated"))) continue;  // N/A: no such key
        auto rotated = r.when(p + "last_rotated");
        auto used = r.when(p + "last_used_date");
        if (!used.is_null() && (last.is_null() || used.get<std::string>() > last.get<std::string>())) last = used;
        CredentialRecord c;
        c.identity_key = id.key;
        c.kind = root ? "root-access-key" : "access-key";
        // Without its date the key cannot join list-access-keys; its slot keeps it apart.
        c.key = rotated.is_null() ? "aws:access-key:" + user + ":slot-" + std::to_string(n) + "-undated"
                                  : access_key_key(user, rotated);
        c.data["created"] = rotated;
        c.data["last_rotated"] = rotated;
        c.data["last_used"] = used;
        if (auto reg = r.get(p + "last_used_region"); reg != "N/A" && !reg.empty()) c.data["last_used_region"] = reg;
        if (auto svc = r.get(p + "last_used_service"); svc != "N/A" && !svc.empty()) c.data["last_used_service"] = svc;
        c.data["status"] = r.flag(p + "active") ? "active" : "inactive";
        c.data["revocation"] = root ? "Root keys: console only (root user > "
                                      "Security credentials > delete)"
                                    : fill(kKeyRevoke, user, "");
        c.weak_fields = {"revocation"};  // list-access-keys fills in the key id
        r.b.credential(std::move(c));
    }
    return last;
}

// The row's signing certificates (slots 1 and 2).
void report_certs(const ReportRow& r, const IdentityRecord& id, const std::string& user) {
    for (int n : {1, 2}) {
        const std::string p = "cert_" + std::to_string(n) + "_";
        if (is_no_date(r.get(p + "last_rotated"))) continue;
        auto rotated = r.when(p + "last_rotated");
        CredentialRecord c;
        c.identity_key = id.key;
        c.kind = "signing-certificate";
        c.key = "aws:signing-cert:" + user + ":" +
                (rotated.is_null() ? "slot-" + std::to_string(n) + "-undated" : rotated.get<std::string>());
        c.data["created"] = rotated;
        c.data["last_rotated"] = rotated;
        c.data["status"] = r.flag(p + "active") ? "active" : "inactive";
        c.data["revocation"] = "aws iam update-signing-certificate --user-name " + util::shell_quote(user) +
                               " --certificate-id CERT_ID --status Inactive  # "
                               "or delete-signing-certificate";
        r.b.credential(std::move(c));
    }
}

// One user (or the root account) with its keys and certificates.
void report_user(const ReportRow& r) {
    const std::string user = r.get("user"), arn = r.get("arn");
    const bool root = user == "<root_account>";
    IdentityRecord id;
    id.provider = "aws";
    id.kind = root ? "root" : "iam-user";
    id.actor = root ? "human" : "service";
    id.name = root ? "root" : user;
    id.key = root ? "aws:root:" + account_of(arn) : "aws:user/" + user;
    id.data["arn"] = arn;
    id.data["account"] = account_of(arn);
    id.data["created"] = r.when("user_creation_time");
    if (r.get("password_enabled") != "not_supported") id.data["console_password"] = r.flag("password_enabled");
    id.data["password_last_used"] = r.when("password_last_used");
    id.data["mfa"] = r.flag("mfa_active");
    id.data["last_used"] = report_keys(r, id, root, user);
    report_certs(r, id, user);
    // A console user with MFA and no keys is a person; the report is the only export that
    // can tell.
    if (!root && r.flag("password_enabled") && r.flag("mfa_active") && is_no_date(r.get("access_key_1_last_rotated")) &&
        is_no_date(r.get("access_key_2_last_rotated")))
        id.actor = "human";
    r.b.identity(std::move(id));
}

}  // namespace

util::Status parse_aws_credential_report(std::string_view path, Input& in, ImportBatch& b) {
    TRY_ASSIGN(auto content, in.text());
    TRY_ASSIGN(auto rows, read_csv(path, content));
    if (rows.empty()) return util::Error{std::string(path), "empty credential report"};
    const auto& header = rows.front();
    for (const char* need : {"user", "arn", "user_creation_time"})
        if (std::find(header.begin(), header.end(), need) == header.end())
            return util::Error{std::string(path),
                               std::string("line 1: no `") + need + "` column; not a credential report"};
    b.format = "aws-credential-report";
    for (size_t r = 1; r < rows.size(); ++r) {
        const auto& row = rows[r];
        if (row.size() != header.size())
            return util::Error{std::string(path), "line " + std::to_string(r + 1) + ": " + std::to_string(row.size()) +
                                                      " fields where the header has " + std::to_string(header.size())};
        ReportRow rr{header, row, path, "", b};
        rr.entry = "line " + std::to_string(r + 1) + " (user " + rr.get("user") + ")";
        report_user(rr);
    }
    return util::ok_status();
}

util::Status parse_aws_access_keys(std::string_view path, Input& in, ImportBatch& b) {
    // One user's keys (at most two): a small document, read whole with the JSON
    // limits.
    TRY_ASSIGN(auto j, in.document());
    if (!j.is_object() || !j.contains("AccessKeyMetadata") || !j["AccessKeyMetadata"].is_array())
        return util::Error{std::string(path), "no AccessKeyMetadata list; not `aws iam list-access-keys` output"};
    b.format = "aws-access-keys";
    std::string user;
    std::vector<const nlohmann::json*> keys;
    const auto& list_k = j["AccessKeyMetadata"];
    for (size_t at_k = 0; at_k < list_k.size(); ++at_k) {
        const auto& k = list_k[at_k];
        if (str(k, "UserName").empty() || str(k, "AccessKeyId").empty()) {
            b.warnings.push_back(warn(path, "AccessKeyMetadata entry " + std::to_string(at_k + 1) +
                                                ": lacks UserName or AccessKeyId; skipped"));
            continue;
        }
        user = str(k, "UserName");
        keys.push_back(&k);
    }
    if (user.empty()) {
        // An empty list still names its user, but only in the file name the export
        // convention gives it: list-access-keys.USER.json.
        std::string base(path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1));
        const std::string pre = "list-access-keys.", suf = ".json";
        if (base.rfind(pre, 0) == 0 && base.size() > pre.size() + suf.size())
            user = base.substr(pre.size(), base.size() - pre.size() - suf.size());
    }
    if (!user.empty()) {
        IdentityRecord id;
        id.provider = "aws";
        id.kind = "iam-user";
        id.actor = "service";
        id.name = user;
        id.key = "aws:user/" + user;
        id.actor_known = false;
        id.stub = true;  // the keys' holder; the credential report or details describe it
        b.identity(std::move(id));
    }
    for (const auto* kp : keys) {
        const auto& k = *kp;
        CredentialRecord c;
        const std::string u = str(k, "UserName"), kid = str(k, "AccessKeyId");
        c.identity_key = "aws:user/" + u;
        c.kind = "access-key";
        auto created = date(b, path, "access key " + kid, "CreateDate", k.value("CreateDate", nlohmann::json()));
        c.key = created.is_null() ? "aws:access-key-id:" + kid : access_key_key(u, created);
        c.data["key_id"] = kid;
        c.data["created"] = created;
        c.data["last_rotated"] = created;
        c.data["status"] = util::lower(str(k, "Status"));
        c.data["revocation"] = fill(kKeyRevoke, u, kid);
        b.credential(std::move(c));
    }
    if (j.value("IsTruncated", false))
        b.warnings.push_back(std::string(path) + ": IsTruncated is true; later pages are not in this file");
    return util::ok_status();
}

}  // namespace nhi::scanners::importers
