#!/usr/bin/env python3
"""Planted risk cases for `nhi report risk`: exports of every provider nhi imports, each
identity planted with one risk (or none: a benign control), and the OWASP NHI id and tier the
public sources give it (README "Reports and the risk model", the risk table).

usage: risk_cases.py --out DIR              write the exports and DIR/expected.json
       risk_cases.py --out DIR --nhi PATH   also import them and print how many cases land

Every name, id, key and token is made up (`acme.test`, AWS ids ending EXAMPLE-like digits,
tokens of random characters built here). The e2e test tests/e2e/test_risk_cases.cpp reads the
committed copy in tests/fixtures/risk/ and asserts every case through the real binary.

A case is {"case", "provider", "name", "factor", "owasp", "tier"}: the identity of that
provider and name must carry the factor (with that OWASP id) and land at that tier. A benign
control has "factor": null and lists "absent" factors it must not carry. "needs" marks a case
whose data the importers do not keep yet (the test reports those instead of failing).
"""
import argparse, base64, hashlib, json, os, subprocess, sys, tempfile

NOW = "2026-06-01T00:00:00Z"
NOW_DAY = 20605  # days from 1970-01-01 to 2026-06-01


def ago(days, clock="10:00:00"):
    import datetime
    d = datetime.date(2026, 6, 1) - datetime.timedelta(days=days)
    return "%sT%sZ" % (d.isoformat(), clock)


def ahead(days):
    return ago(-days)


def token(prefix, n, seed):
    """Deterministic fake token of the right shape: prefix + n base62 characters."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    out, h = "", hashlib.sha256(seed.encode()).digest()
    while len(out) < n:
        for b in h:
            out += alphabet[b % 62]
        h = hashlib.sha256(h).digest()
    return prefix + out[:n]


CASES = []


def case(name, provider, factor, owasp, tier, **extra):
    c = {"case": "%s/%s" % (provider, name), "provider": provider, "name": name, "factor": factor,
         "owasp": owasp, "tier": tier}
    c.update(extra)
    CASES.append(c)


def benign(name, provider, absent, tier="low"):
    case(name, provider, None, None, tier, absent=absent)


# ---------------------------------------------------------------- AWS
PROD, STAGING = "210987654321", "333344445555"


def trust(statements):
    return {"Version": "2012-10-17", "Statement": statements}


def assume(principal, condition=None, action="sts:AssumeRole"):
    s = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        s["Condition"] = condition
    return s


GH = "arn:aws:iam::%s:oidc-provider/token.actions.githubusercontent.com" % PROD


def aws_exports(out):
    roles, users, groups = [], [], []

    def role(name, trust_doc, policies=(), inline=None, last_used=1, owner="platform", account=PROD, into=None):
        r = {"RoleName": name, "RoleId": "AROA" + hashlib.md5(name.encode()).hexdigest()[:16].upper(),
             "Arn": "arn:aws:iam::%s:role/%s" % (account, name), "Path": "/", "CreateDate": ago(700),
             "AssumeRolePolicyDocument": trust_doc,
             "AttachedManagedPolicies": [{"PolicyName": p.split("/")[-1], "PolicyArn": p} for p in policies],
             "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": inline}] if inline else [],
             "RoleLastUsed": {"LastUsedDate": ago(last_used), "Region": "eu-west-1"} if last_used is not None else {}}
        if owner:
            r["Tags"] = [{"Key": "owner", "Value": owner}]
        (into if into is not None else roles).append(r)

    ec2 = assume({"Service": "ec2.amazonaws.com"})
    role("public-assume", trust([assume("*")]))
    case("public-assume", "aws", "open-trust", "NHI6", "critical")
    role("public-assume-aws", trust([assume({"AWS": "*"})]))
    case("public-assume-aws", "aws", "open-trust", "NHI6", "critical")
    role("gha-no-condition", trust([assume({"Federated": GH}, action="sts:AssumeRoleWithWebIdentity")]))
    case("gha-no-condition", "aws", "github-oidc-no-sub", "NHI6", "high")
    role("gha-aud-only", trust([assume({"Federated": GH}, {"StringEquals": {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}, "sts:AssumeRoleWithWebIdentity")]))
    case("gha-aud-only", "aws", "github-oidc-no-sub", "NHI6", "high")
    role("gha-any-repo", trust([assume({"Federated": GH}, {"StringLike": {
        "token.actions.githubusercontent.com:sub": "repo:*"}}, "sts:AssumeRoleWithWebIdentity")]))
    case("gha-any-repo", "aws", "github-oidc-no-sub", "NHI6", "high")
    role("gha-pinned", trust([assume({"Federated": GH}, {"StringEquals": {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:acme/web:ref:refs/heads/main"}}, "sts:AssumeRoleWithWebIdentity")]))
    benign("gha-pinned", "aws", ["github-oidc-no-sub", "open-trust"])
    role("vendor-audit", trust([assume({"AWS": "arn:aws:iam::999988887777:root"})]), ["arn:aws:iam::aws:policy/SecurityAudit"])
    case("vendor-audit", "aws", "third-party-no-external-id", "NHI3", "high")
    role("vendor-backup", trust([assume({"AWS": ["arn:aws:iam::888877776666:role/backup-agent"]})]))
    case("vendor-backup", "aws", "third-party-no-external-id", "NHI3", "high")
    role("vendor-monitor", trust([assume({"AWS": "arn:aws:iam::999988887777:root"},
                                         {"StringEquals": {"sts:ExternalId": "acme-7f3a"}})]))
    benign("vendor-monitor", "aws", ["third-party-no-external-id"])
    role("cross-deployer", trust([assume({"AWS": "arn:aws:iam::%s:role/pipeline" % STAGING})]))
    case("cross-deployer", "aws", "cross-environment-trust", "NHI8", "high")
    role("release-trigger", trust([assume({"AWS": "arn:aws:iam::%s:root" % STAGING})]))
    case("release-trigger", "aws", "cross-environment-trust", "NHI8", "high")
    role("batch-worker", trust([assume({"AWS": "arn:aws:iam::%s:role/scheduler" % PROD}), ec2]))
    benign("batch-worker", "aws", ["cross-environment-trust", "third-party-no-external-id"])
    role("ops-admin", trust([ec2]), ["arn:aws:iam::aws:policy/AdministratorAccess"])
    case("ops-admin", "aws", "privileged", "NHI5", "high")
    role("legacy-etl", trust([ec2]), ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"], last_used=200)
    case("legacy-etl", "aws", "unused", "NHI1", "medium")
    role("never-used-role", trust([ec2]), last_used=None)
    benign("never-used-role", "aws", ["unused"])  # `{}`: the export does not say, and unknown is not never

    staging_roles = []
    role("pipeline", trust([ec2]), account=STAGING, into=staging_roles)

    # Users: authorization details for permissions, the credential report and
    # list-access-keys for keys.
    report = []
    key_files = {}
    admin_key = "AKIA" + token("", 16, "admin-key").upper()[:16]

    def user(name, policies=(), inline=None, group_list=(), owner="platform", keys=(), password=False, mfa=False):
        u = {"UserName": name, "UserId": "AIDA" + hashlib.md5(name.encode()).hexdigest()[:16].upper(),
             "Arn": "arn:aws:iam::%s:user/service/%s" % (PROD, name), "Path": "/service/", "CreateDate": ago(800),
             "UserPolicyList": [{"PolicyName": "inline", "PolicyDocument": inline}] if inline else [],
             "GroupList": list(group_list),
             "AttachedManagedPolicies": [{"PolicyName": p.split("/")[-1], "PolicyArn": p} for p in policies]}
        if owner:
            u["Tags"] = [{"Key": "owner", "Value": owner}]
        users.append(u)
        row = {"user": name, "arn": u["Arn"], "user_creation_time": ago(800, "09:00:00").replace("Z", "+00:00"),
               "password_enabled": "true" if password else "false",
               "password_last_used": ago(3).replace("Z", "+00:00") if password else "N/A",
               "password_last_changed": "N/A", "password_next_rotation": "N/A", "mfa_active": "true" if mfa else "false"}
        meta = []
        for n in (1, 2):
            k = keys[n - 1] if n <= len(keys) else None
            p = "access_key_%d_" % n
            if k is None:
                row.update({p + "active": "false", p + "last_rotated": "N/A", p + "last_used_date": "N/A",
                            p + "last_used_region": "N/A", p + "last_used_service": "N/A"})
                continue
            kid, rotated, used = k
            row.update({p + "active": "true", p + "last_rotated": ago(rotated, "08:00:00").replace("Z", "+00:00"),
                        p + "last_used_date": ago(used).replace("Z", "+00:00") if used is not None else "N/A",
                        p + "last_used_region": "eu-west-1" if used is not None else "N/A",
                        p + "last_used_service": "s3" if used is not None else "N/A"})
            meta.append({"UserName": name, "AccessKeyId": kid, "Status": "Active", "CreateDate": ago(rotated, "08:00:00")})
        for n in (1, 2):
            row.update({"cert_%d_active" % n: "false", "cert_%d_last_rotated" % n: "N/A"})
        report.append(row)
        if meta:
            key_files[name] = {"AccessKeyMetadata": meta, "IsTruncated": False}

    def kid(seed):
        return "AKIA" + hashlib.sha256(seed.encode()).hexdigest()[:16].upper()

    groups.append({"GroupName": "admins", "GroupId": "AGPAADMINS0000000001", "Arn": "arn:aws:iam::%s:group/admins" % PROD,
                   "Path": "/", "CreateDate": ago(900), "GroupPolicyList": [],
                   "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess",
                                                "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]})
    user("svc-terraform", ["arn:aws:iam::aws:policy/AdministratorAccess"], keys=[(admin_key, 20, 1)])
    case("svc-terraform", "aws", "privileged", "NHI5", "high")
    user("svc-break-glass", group_list=["admins"], keys=[(kid("bg"), 30, 2)])
    case("svc-break-glass", "aws", "privileged", "NHI5", "high")
    user("svc-iam-sync", inline={"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]},
         keys=[(kid("iam"), 10, 1)])
    case("svc-iam-sync", "aws", "privileged", "NHI5", "high")
    user("svc-notaction", inline={"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]},
         keys=[(kid("notaction"), 10, 1)])
    case("svc-notaction", "aws", "privileged", "NHI5", "high")
    user("svc-reporting", ["arn:aws:iam::aws:policy/ReadOnlyAccess"], keys=[(kid("old"), 400, 1)])
    case("svc-reporting", "aws", "rotation-overdue", "NHI7", "medium")
    user("svc-metrics", ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"], keys=[(kid("m1"), 200, 1), (kid("m2"), 150, 2)])
    case("svc-metrics", "aws", "rotation-overdue", "NHI7", "medium", count=2)
    user("svc-archive", ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"], keys=[(kid("arch"), 60, 200)])
    case("svc-archive", "aws", "unused", "NHI1", "medium")
    user("svc-console", ["arn:aws:iam::aws:policy/ReadOnlyAccess"], keys=[(kid("console"), 20, 1)], password=True)
    case("svc-console", "aws", "service-console-password", "NHI10", "medium")
    user("svc-orphan-admin", ["arn:aws:iam::aws:policy/AdministratorAccess"], owner=None, keys=[(kid("orphan"), 300, 1)])
    case("svc-orphan-admin", "aws", "privileged", "NHI5", "high")
    user("ci-builder", ["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser"], keys=[(kid("ci"), 30, 1)])
    case("ci-builder", "aws", "static-key-federation-available", "NHI4", "low")
    user("svc-inventory", ["arn:aws:iam::aws:policy/ReadOnlyAccess"], keys=[(kid("inv"), 30, 1)])
    benign("svc-inventory", "aws", ["privileged", "rotation-overdue", "unused"])

    # The account root user with an active access key.
    root = {"user": "<root_account>", "arn": "arn:aws:iam::%s:root" % PROD,
            "user_creation_time": ago(2000, "09:00:00").replace("Z", "+00:00"), "password_enabled": "not_supported",
            "password_last_used": ago(40).replace("Z", "+00:00"), "password_last_changed": "not_supported",
            "password_next_rotation": "not_supported", "mfa_active": "true",
            "access_key_1_active": "true", "access_key_1_last_rotated": ago(30, "08:00:00").replace("Z", "+00:00"),
            "access_key_1_last_used_date": ago(5).replace("Z", "+00:00"), "access_key_1_last_used_region": "us-east-1",
            "access_key_1_last_used_service": "iam", "access_key_2_active": "false", "access_key_2_last_rotated": "N/A",
            "access_key_2_last_used_date": "N/A", "access_key_2_last_used_region": "N/A", "access_key_2_last_used_service": "N/A",
            "cert_1_active": "false", "cert_1_last_rotated": "N/A", "cert_2_active": "false", "cert_2_last_rotated": "N/A"}
    report.insert(0, root)
    case("root", "aws", "root-key", "NHI10", "critical")

    os.makedirs(os.path.join(out, "aws"), exist_ok=True)
    write(out, "aws/authorization-details.prod.json",
          {"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": [], "IsTruncated": False})
    write(out, "aws/authorization-details.staging.json",
          {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": staging_roles, "Policies": [], "IsTruncated": False})
    cols = ["user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
            "password_next_rotation", "mfa_active"]
    for n in (1, 2):
        cols += ["access_key_%d_%s" % (n, s) for s in ("active", "last_rotated", "last_used_date", "last_used_region",
                                                        "last_used_service")]
    cols += ["cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated"]
    with open(os.path.join(out, "aws/credential-report.prod.csv"), "w") as f:
        f.write(",".join(cols) + "\n" + "\n".join(",".join(r[c] for c in cols) for r in report) + "\n")
    for name, doc in key_files.items():
        write(out, "aws/list-access-keys.%s.json" % name, doc)
    return admin_key


# ---------------------------------------------------------------- GCP
P, S = "acme-prod-4821", "acme-staging-7310"
PNUM = "402918374655"


def gcp_exports(out):
    sas, policy, stg_sas = [], [], []

    def sa(email, owner="data-platform", into=None):
        (into if into is not None else sas).append(
            {"name": "projects/%s/serviceAccounts/%s" % (P, email), "email": email,
             "uniqueId": str(int(hashlib.md5(email.encode()).hexdigest()[:12], 16)),
             "displayName": email.split("@")[0], "description": ("owner=%s" % owner) if owner else "",
             "projectId": P})

    def bind(role, *members):
        policy.append({"role": role, "members": list(members)})

    def email(n, project=P):
        return "%s@%s.iam.gserviceaccount.com" % (n, project)

    compute = "%s-compute@developer.gserviceaccount.com" % PNUM
    appspot = "%s@appspot.gserviceaccount.com" % P
    sa(compute, owner=None)
    sa(appspot, owner=None)
    bind("roles/editor", "serviceAccount:" + compute)
    case(compute, "gcp", "default-sa-privileged", "NHI5", "high")
    bind("roles/owner", "serviceAccount:" + appspot)
    case(appspot, "gcp", "default-sa-privileged", "NHI5", "high")
    sa(email("org-admin"))
    bind("roles/owner", "serviceAccount:" + email("org-admin"))
    case(email("org-admin"), "gcp", "privileged", "NHI5", "high")
    sa(email("deployer"))
    bind("roles/editor", "serviceAccount:" + email("deployer"))
    sa(email("reporting"))
    bind("roles/bigquery.dataViewer", "serviceAccount:" + email("reporting"))
    benign(email("reporting"), "gcp", ["privileged", "default-sa-privileged", "cross-environment-trust"])
    bind("roles/viewer", "deleted:serviceAccount:%s?uid=1093847561029384756" % email("old-exporter"))
    case(email("old-exporter"), "gcp", "dangling-binding", "NHI1", "medium", type="dangling-binding")
    bind("roles/owner", "deleted:serviceAccount:%s?uid=1093847561029384757" % email("old-admin"))
    case(email("old-admin"), "gcp", "dangling-binding", "NHI1", "high", type="dangling-binding")
    # A staging account bound in the production project.
    sa(email("stg-loader", S), into=stg_sas)
    bind("roles/storage.objectViewer", "serviceAccount:" + email("stg-loader", S))
    case(email("stg-loader", S), "gcp", "cross-environment-trust", "NHI8", "high")
    sa(email("stg-publisher", S), into=stg_sas)
    bind("roles/pubsub.publisher", "serviceAccount:" + email("stg-publisher", S))
    case(email("stg-publisher", S), "gcp", "cross-environment-trust", "NHI8", "high")

    keys = {}

    def key(sa_email, key_id, created, expires="9999-12-31T23:59:59Z", user=True, disabled=False):
        k = {"name": "projects/%s/serviceAccounts/%s/keys/%s" % (P, sa_email, key_id), "validAfterTime": created,
             "validBeforeTime": expires, "keyAlgorithm": "KEY_ALG_RSA_2048",
             "keyOrigin": "GOOGLE_PROVIDED", "keyType": "USER_MANAGED" if user else "SYSTEM_MANAGED"}
        if disabled:
            k["disabled"] = True
        keys.setdefault(sa_email, []).append(k)

    def key_file(sa_email, key_id, name):
        pem = base64.b64encode(b"THIS IS NOT A PRIVATE KEY; nhi bench " + key_id.encode()).decode()
        write(out, "gcp/" + name, {"type": "service_account", "project_id": P, "private_key_id": key_id,
                                    "private_key": "-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n" % pem,
                                    "client_email": sa_email, "client_id": "1" * 21,
                                    "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                                    "token_uri": "https://oauth2.googleapis.com/token"})

    kid = lambda s: hashlib.sha1(s.encode()).hexdigest()
    sa(email("etl-runner"))
    bind("roles/bigquery.jobUser", "serviceAccount:" + email("etl-runner"))
    key(email("etl-runner"), kid("etl"), ago(20))
    key_file(email("etl-runner"), kid("etl"), "etl-runner-key.json")
    case(email("etl-runner"), "gcp", "key-file-exposed", "NHI2", "high")
    key(email("deployer"), kid("deployer"), ago(10))
    key_file(email("deployer"), kid("deployer"), "deployer-key.json")
    case(email("deployer"), "gcp", "key-file-exposed", "NHI2", "critical")
    sa(email("backup"))
    bind("roles/storage.objectAdmin", "serviceAccount:" + email("backup"))
    key(email("backup"), kid("backup"), ago(120))
    case(email("backup"), "gcp", "rotation-overdue", "NHI7", "medium")
    sa(email("legacy-sync"))
    bind("roles/storage.objectViewer", "serviceAccount:" + email("legacy-sync"))
    key(email("legacy-sync"), kid("legacy"), ago(400), expires=ago(30))
    case(email("legacy-sync"), "gcp", "expired-present", "NHI1", "low")
    sa(email("scheduler"))
    bind("roles/cloudscheduler.jobRunner", "serviceAccount:" + email("scheduler"))
    key(email("scheduler"), kid("sys"), ago(5), expires=ahead(9), user=False)
    benign(email("scheduler"), "gcp", ["rotation-overdue", "key-file-exposed", "static-key-federation-available"])

    os.makedirs(os.path.join(out, "gcp"), exist_ok=True)
    write(out, "gcp/service-accounts.prod.json", sas)
    write(out, "gcp/service-accounts.staging.json", stg_sas)
    write(out, "gcp/iam-policy.prod.json", {"version": 1, "etag": "BwXbench=", "bindings": policy})
    for sa_email, ks in keys.items():
        write(out, "gcp/service-account-keys.%s.json" % sa_email.split("@")[0], ks)


# ---------------------------------------------------------------- Azure
def azure_exports(out):
    apps, sps = [], []

    def guid(seed):
        h = hashlib.md5(seed.encode()).hexdigest()
        return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:32])

    def secret(name, start, end):
        return {"keyId": guid(name), "displayName": name, "startDateTime": start, "endDateTime": end,
                "hint": "Xy~", "customKeyIdentifier": None, "secretText": None}

    def app(name, secrets=(), implicit=None, owner="identity-team"):
        a = {"id": guid(name + "-obj"), "appId": guid(name), "displayName": name, "createdDateTime": ago(900),
             "notes": ("owner: %s" % owner) if owner else None, "passwordCredentials": list(secrets),
             "keyCredentials": [], "requiredResourceAccess": [], "signInAudience": "AzureADMyOrg",
             "web": {"redirectUris": ["https://%s.acme.test/callback" % name],
                     "implicitGrantSettings": {"enableAccessTokenIssuance": bool(implicit and "access" in implicit),
                                               "enableIdTokenIssuance": bool(implicit and "id" in implicit)}}}
        apps.append(a)

    app("billing-portal", implicit=("access", "id"))
    case("billing-portal", "azure", "implicit-grant", "NHI4", "medium")
    app("hr-sso", implicit=("id",))
    case("hr-sso", "azure", "implicit-grant", "NHI4", "medium")
    app("invoice-sync", [secret("invoice-sync-2024", ago(500), ago(20))])
    case("invoice-sync", "azure", "expired-present", "NHI1", "low")
    app("crm-connector", [secret("crm-2025", ago(200), ahead(165))])
    case("crm-connector", "azure", "rotation-overdue", "NHI7", "medium")
    app("data-lake-writer", [secret("dlw-long", ago(30), ahead(700))])
    case("data-lake-writer", "azure", "long-lived", "NHI7", "low")
    app("status-page", [secret("status-2026", ago(20), ahead(70))])
    benign("status-page", "azure", ["rotation-overdue", "long-lived", "implicit-grant", "expired-present"])

    def sp(name, secrets=(), owner="identity-team", kind="Application"):
        sps.append({"id": guid(name + "-sp"), "appId": guid(name + "-spapp"), "displayName": name,
                    "servicePrincipalType": kind, "accountEnabled": True,
                    "appOwnerOrganizationId": "0d8e1f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6",
                    "passwordCredentials": list(secrets), "keyCredentials": [],
                    "tags": ["owner:%s" % owner] if owner else [], "alternativeNames": []})

    sp("payments-daemon", [secret("pd-old", ago(600), ago(200))])
    case("payments-daemon", "azure", "expired-present", "NHI1", "low")
    sp("aks-kubelet-identity", kind="ManagedIdentity")
    benign("aks-kubelet-identity", "azure", ["expired-present", "rotation-overdue"])
    os.makedirs(os.path.join(out, "azure"), exist_ok=True)
    write(out, "azure/applications.json", apps)
    write(out, "azure/service-principals.json", sps)


# ---------------------------------------------------------------- Kubernetes
def k8s_exports(out):
    items = []

    def sa(ns, name, owner="platform"):
        md = {"name": name, "namespace": ns, "uid": hashlib.md5((ns + name).encode()).hexdigest(),
              "creationTimestamp": ago(500)}
        if owner:
            md["annotations"] = {"owner": owner}
        items.append({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": md})

    def token_secret(ns, sa_name, created, last_used=None):
        labels = {"kubernetes.io/legacy-token-last-used": ago(last_used)[:10]} if last_used is not None else {}
        items.append({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
                      "metadata": {"name": sa_name + "-token", "namespace": ns, "creationTimestamp": ago(created),
                                   "labels": labels,
                                   "annotations": {"kubernetes.io/service-account.name": sa_name,
                                                   "kubernetes.io/service-account.uid": "u"}},
                      "data": {}})

    def binding(kind, name, role_kind, role, subjects, ns=None):
        md = {"name": name}
        if ns:
            md["namespace"] = ns
        items.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": md,
                      "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
                      "subjects": [{"kind": "ServiceAccount", "name": n, "namespace": s} for s, n in subjects]})

    sa("argo", "argocd-application-controller")
    binding("ClusterRoleBinding", "argocd-cluster-admin", "ClusterRole", "cluster-admin", [("argo", "argocd-application-controller")])
    case("argo/argocd-application-controller", "kubernetes", "cluster-admin-sa", "NHI5", "critical")
    sa("tooling", "janitor")
    binding("ClusterRoleBinding", "janitor-admin", "ClusterRole", "cluster-admin", [("tooling", "janitor")])
    case("tooling/janitor", "kubernetes", "cluster-admin-sa", "NHI5", "critical")
    sa("payments", "default", owner=None)
    binding("RoleBinding", "payments-default-edit", "ClusterRole", "edit", [("payments", "default")], ns="payments")
    case("payments/default", "kubernetes", "default-sa-privileged", "NHI5", "high")
    sa("web", "default", owner=None)
    benign("web/default", "kubernetes", ["default-sa-privileged", "cluster-admin-sa"])
    sa("monitoring", "node-exporter")
    binding("ClusterRoleBinding", "node-exporter-admin", "ClusterRole", "admin", [("monitoring", "node-exporter")])
    case("monitoring/node-exporter", "kubernetes", "privileged", "NHI5", "high")
    sa("batch", "report-runner")
    token_secret("batch", "report-runner", 500, last_used=200)
    case("batch/report-runner", "kubernetes", "unused", "NHI1", "medium")
    sa("batch", "cron-sync")
    token_secret("batch", "cron-sync", 400, last_used=2)
    case("batch/cron-sync", "kubernetes", "rotation-overdue", "NHI7", "medium")
    sa("web", "frontend")
    binding("RoleBinding", "frontend-view", "ClusterRole", "view", [("web", "frontend")], ns="web")
    benign("web/frontend", "kubernetes", ["privileged", "cluster-admin-sa", "default-sa-privileged"])
    binding("RoleBinding", "old-operator", "ClusterRole", "edit", [("ops", "old-operator")], ns="ops")
    case("ops/old-operator", "kubernetes", "dangling-binding", "NHI1", "medium", type="dangling-binding")
    os.makedirs(os.path.join(out, "k8s"), exist_ok=True)
    write(out, "k8s/list.json", {"apiVersion": "v1", "kind": "List", "items": items, "metadata": {"resourceVersion": ""}})


# ---------------------------------------------------------------- GitHub
def github_exports(out):
    keys = []

    def deploy_key(n, repo, title, write_access, last_used, added_by="octo-ops", created=300):
        keys.append({"id": n, "key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + token("", 43, title), "title": title,
                     "url": "https://api.github.com/repos/acme/%s/keys/%d" % (repo, n), "verified": True,
                     "created_at": ago(created), "read_only": not write_access, "added_by": added_by,
                     "last_used": ago(last_used) if last_used is not None else None, "enabled": True})

    deploy_key(7001, "web-app", "release-bot", True, 200)
    # Push access (privileged, medium floor), never expiring, unrotated and stale: the score
    # (25 + 15 + 10 + 20) reaches high.
    case("acme/web-app: release-bot", "github", "deploy-key-write-unused", "NHI1", "high")
    deploy_key(7002, "web-app", "old-mirror", True, None, created=400)
    case("acme/web-app: old-mirror", "github", "deploy-key-write-unused", "NHI1", "high")
    deploy_key(7003, "infra", "terraform-push", True, 1, added_by=None)
    case("acme/infra: terraform-push", "github", "privileged", "NHI5", "high")
    deploy_key(7004, "docs", "docs-reader", False, 1, created=30)
    benign("acme/docs: docs-reader", "github", ["deploy-key-write-unused", "privileged"])

    pats = []

    def pat(n, login, name, expires, perms, last_used=1, granted=20, expired=False):
        pats.append({"id": n, "owner": {"login": login, "id": n * 7, "type": "User"}, "repository_selection": "subset",
                     "repositories_url": "https://api.github.com/organizations/1/personal-access-token-requests/%d/repositories" % n,
                     "permissions": perms, "access_granted_at": ago(granted), "token_id": n * 11, "token_name": name,
                     "token_expired": expired, "token_expires_at": expires,
                     "token_last_used_at": ago(last_used) if last_used is not None else None})

    read = {"organization": {}, "repository": {"contents": "read", "metadata": "read"}, "other": {}}
    pat(9001, "mona-ci", "release-automation", None, read)
    case("mona-ci", "github", "pat-no-expiry", "NHI7", "medium")
    pat(9002, "hubot-admin", "org-admin-sync", ahead(60),
        {"organization": {"administration": "write", "members": "write"}, "repository": {}, "other": {}})
    case("hubot-admin", "github", "pat-admin-scope", "NHI5", "high")
    pat(9003, "repo-keeper", "repo-settings", ahead(60), {"organization": {}, "repository": {"administration": "write"}, "other": {}})
    case("repo-keeper", "github", "pat-admin-scope", "NHI5", "high")
    pat(9004, "old-bot", "nightly-export", ago(10), read, expired=True)
    case("old-bot", "github", "expired-present", "NHI1", "low")
    pat(9005, "docs-bot", "docs-publish", ahead(30), read)
    benign("docs-bot", "github", ["pat-no-expiry", "pat-admin-scope", "expired-present"])

    inst = {"total_count": 2, "installations": [
        {"id": 5101, "app_id": 301, "app_slug": "repo-settings-bot", "target_type": "Organization",
         "permissions": {"administration": "write", "metadata": "read"}, "events": [], "repository_selection": "all",
         "created_at": ago(100), "updated_at": ago(10), "suspended_at": None, "suspended_by": None},
        {"id": 5102, "app_id": 302, "app_slug": "lint-checks", "target_type": "Organization",
         "permissions": {"checks": "write", "metadata": "read"}, "events": ["check_run"], "repository_selection": "selected",
         "created_at": ago(100), "updated_at": ago(10), "suspended_at": None, "suspended_by": None}]}
    case("repo-settings-bot", "github", "privileged", "NHI5", "medium")
    case("lint-checks", "github", "third-party-app", "NHI3", "low")
    os.makedirs(os.path.join(out, "github"), exist_ok=True)
    write(out, "github/deploy-keys.json", keys)
    write(out, "github/fine-grained-pats.json", pats)
    write(out, "github/app-installations.json", inst)


# ---------------------------------------------------------------- MCP / agents
def mcp_exports(out, admin_key):
    gh = token("ghp_", 36, "mcp-github")
    write(out, "mcp/claude_desktop_config.json", {"mcpServers": {
        "github-tools": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"],
                         "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": gh}},
        "notes-search": {"command": "notes-mcp", "env": {"NOTES_TOKEN": "${NOTES_TOKEN}"}}}})
    case("github-tools", "mcp", "agent-literal-secret", "NHI2", "medium")
    case("github-tools", "mcp", "agent-holds-secret", "NHI3", "medium")
    benign("notes-search", "mcp", ["agent-literal-secret", "agent-holds-secret"])
    write(out, "mcp/cursor.mcp.json", {"mcpServers": {
        "aws-ops": {"command": "uvx", "args": ["aws-mcp"],
                    "env": {"AWS_ACCESS_KEY_ID": admin_key, "AWS_REGION": "eu-west-1"}},
        "db-admin": {"command": "pg-mcp", "env": {"PG_ADMIN_PASSWORD": token("", 24, "pg-admin")}}}})
    case("aws-ops", "mcp", "agent-literal-secret", "NHI2", "high")
    case("db-admin", "mcp", "agent-literal-secret", "NHI2", "high")
    write(out, "mcp/windsurf.mcp_config.json", {"mcpServers": {
        "search-api": {"serverUrl": "https://mcp.acme.test/sse?api_key=" + token("sk_", 32, "search")}}})
    case("search-api", "mcp", "agent-literal-secret", "NHI2", "medium")
    with open(os.path.join(out, "mcp/codex.config.toml"), "w") as f:
        f.write('model = "o4-mini"\n\n[mcp_servers.tickets]\nurl = "https://tickets.acme.test/mcp"\n'
                'http_headers = { "Authorization" = "Bearer %s" }\n\n'
                '[mcp_servers.wiki]\nurl = "https://wiki.acme.test/mcp"\nbearer_token_env_var = "WIKI_TOKEN"\n'
                % token("", 40, "tickets"))
    case("tickets", "mcp", "agent-literal-secret", "NHI2", "medium")
    benign("wiki", "mcp", ["agent-literal-secret", "agent-holds-secret"])


def write(out, rel, doc):
    path = os.path.join(out, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")


def generate(out):
    admin_key = aws_exports(out)
    gcp_exports(out)
    azure_exports(out)
    k8s_exports(out)
    github_exports(out)
    mcp_exports(out, admin_key)
    files = []
    for root, _, names in os.walk(out):
        for n in names:
            if n != "expected.json":
                files.append(os.path.relpath(os.path.join(root, n), out))
    write(out, "expected.json", {"now": NOW, "files": sorted(files), "cases": CASES})


def check(out, nhi):
    """Imports the exports into a fresh datastore, runs `report risk --format json` and
    prints each case that misses; returns (hits, total)."""
    exp = json.load(open(os.path.join(out, "expected.json")))
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "nhi.db")
        for f in exp["files"]:  # one at a time: a binary that stops at a bad file still imports the rest
            subprocess.run([nhi, "inventory", "import", "--db", db, os.path.join(out, f)], capture_output=True)
        r = subprocess.run([nhi, "report", "risk", "--db", db, "--format", "json", "--now", exp["now"]],
                           capture_output=True, text=True)
        rows = json.loads(r.stdout)["rows"] if r.stdout.strip().startswith("{") else []
    hits = total = 0
    for c in exp["cases"]:
        if c["factor"] is None:
            continue
        total += 1
        want_type = c.get("type", "identity")
        found = [x for x in rows if x.get("provider") == c["provider"] and
                 (x.get("name") == c["name"] or (want_type == "dangling-binding" and c["name"] in x.get("member", "")))]
        ok = False
        for x in found:
            ids = {(f["id"], f["owasp"]) for f in x["factors"]}
            if (c["factor"], c["owasp"]) in ids and x["tier"] == c["tier"]:
                ok = True
        hits += ok
        if not ok:
            got = ["%s %s [%s]" % (x["tier"], x.get("name", x.get("member")), ", ".join(f["id"] for f in x["factors"]))
                   for x in found]
            print("MISS %-55s want %s %s %s; got %s" % (c["case"], c["tier"], c["owasp"], c["factor"], got or "nothing"))
    print("%d of %d planted cases at the expected tier" % (hits, total))
    return hits, total


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--nhi")
    a = ap.parse_args()
    generate(a.out)
    if a.nhi:
        check(a.out, a.nhi)
