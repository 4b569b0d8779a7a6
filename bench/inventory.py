#!/usr/bin/env python3
"""Inventory at scale: generate exports describing N identities across formats, then time
`nhi inventory import`, `nhi inventory list` and `nhi report` on them.

usage: inventory.py --nhi PATH [--identities 100000] [--keep DIR]

Targets (issue 5, this 2-core machine): import <= 10 s, list <= 1 s for 100,000 identities.
Absolute times are noisy here; the script prints them with the per-format split and peak RSS.
"""
import argparse, json, os, random, resource, shutil, subprocess, sys, tempfile, time


def k8s(n, r):
    items = []
    for i in range(n):
        ns = "ns%03d" % (i % 500)
        items.append({"apiVersion": "v1", "kind": "ServiceAccount",
                      "metadata": {"name": "sa-%06d" % i, "namespace": ns, "uid": "%032x" % r.getrandbits(128),
                                   "creationTimestamp": "2024-%02d-%02dT10:00:00Z" % (1 + i % 12, 1 + i % 28),
                                   "labels": {"team": "team-%02d" % (i % 40)} if i % 3 else {}}})
        if i % 4 == 0:
            items.append({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
                          "metadata": {"name": "sa-%06d-token" % i, "namespace": ns,
                                       "creationTimestamp": "2024-01-01T00:00:00Z",
                                       "annotations": {"kubernetes.io/service-account.name": "sa-%06d" % i}}})
    return {"apiVersion": "v1", "kind": "List", "items": items}


def gcp(n, r):
    return [{"email": "svc-%06d@proj-%d.iam.gserviceaccount.com" % (i, i % 20), "uniqueId": str(10**20 + i),
             "displayName": "service %d" % i, "description": "owner=team-%02d" % (i % 40) if i % 2 else "",
             "name": "projects/p/serviceAccounts/svc-%06d" % i, **({"disabled": True} if i % 50 == 0 else {})}
            for i in range(n)]


def azure(n, r):
    out = []
    for i in range(n):
        out.append({"appId": "%08x-0000-4000-8000-%012x" % (i, r.getrandbits(48)), "id": "%032x" % r.getrandbits(128),
                    "displayName": "app-%06d" % i, "createdDateTime": "2023-02-14T10:22:31.5Z",
                    "notes": "owner: team-%02d" % (i % 40) if i % 2 else None,
                    "passwordCredentials": [{"keyId": "%032x" % r.getrandbits(128), "displayName": "s",
                                             "startDateTime": "2025-01-01T00:00:00Z",
                                             "endDateTime": "2026-0%d-01T00:00:00Z" % (1 + i % 9), "hint": "abc"}],
                    "keyCredentials": []})
    return out


def aws(n, r):
    users = [{"UserName": "user-%06d" % i, "Arn": "arn:aws:iam::111122223333:user/user-%06d" % i, "Path": "/",
              "CreateDate": "2022-01-10T12:00:04Z", "UserPolicyList": [], "GroupList": [],
              "AttachedManagedPolicies": [{"PolicyName": "ReadOnly", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
              "Tags": [{"Key": "owner", "Value": "team-%02d" % (i % 40)}] if i % 2 else []}
             for i in range(n)]
    return {"UserDetailList": users, "RoleDetailList": [], "GroupDetailList": [], "Policies": [], "IsTruncated": False}


def generate(root, total):
    r = random.Random(7)
    split = {"k8s-list.json": (k8s, int(total * 0.4)), "gcp-service-accounts.json": (gcp, int(total * 0.3)),
             "azure-applications.json": (azure, int(total * 0.2)), "aws-authorization-details.json": (aws, 0)}
    split["aws-authorization-details.json"] = (aws, total - sum(n for _, n in split.values()))
    files = []
    for name, (fn, n) in split.items():
        path = os.path.join(root, name)
        with open(path, "w") as f:
            json.dump(fn(n, r), f)
        files.append((path, n))
    return files


def timed(cmd, cwd, to_file=None):
    t = time.perf_counter()
    if to_file:  # large outputs go to a file: a pipe into Python would time Python
        with open(to_file, "w") as f:
            p = subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.PIPE, text=True)
    else:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    dt = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr[-500:]))
    return dt, p


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nhi", required=True, type=os.path.abspath)
    ap.add_argument("--identities", type=int, default=100000)
    ap.add_argument("--keep")
    a = ap.parse_args()
    root = a.keep or tempfile.mkdtemp(prefix="nhi-inv-bench-")
    os.makedirs(root, exist_ok=True)
    files = generate(root, a.identities)
    size = sum(os.path.getsize(p) for p, _ in files)
    print("generated %d identities in %d files (%.1f MiB)" % (a.identities, len(files), size / 2**20))
    db = os.path.join(root, "bench.db")
    if os.path.exists(db):
        os.remove(db)
    total_import = 0.0
    for path, n in files:
        dt, _ = timed([a.nhi, "inventory", "import", "--db", db, path], root)
        total_import += dt
        print("  import %-34s %7d identities  %6.2f s" % (os.path.basename(path), n, dt))
    rss_import = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out = os.path.join(root, "list.jsonl")
    dt_list, _ = timed([a.nhi, "inventory", "list", "--db", db, "--format", "jsonl"], root, to_file=out)
    rows = sum(1 for _ in open(out))
    dt_text, _ = timed([a.nhi, "inventory", "list", "--db", db], root, to_file=os.devnull)
    dt_filter, p2 = timed([a.nhi, "inventory", "list", "--db", db, "--no-owner", "--provider", "kubernetes"], root)
    dt_again, _ = timed([a.nhi, "inventory", "import", "--db", db] + [p for p, _ in files], root)
    dt_summary, _ = timed([a.nhi, "report", "summary", "--db", db], root, to_file=os.devnull)
    dt_risk, _ = timed([a.nhi, "report", "risk", "--db", db, "--format", "csv"], root, to_file=os.devnull)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print("import total:            %6.2f s (target <= 10 s)  peak RSS %.0f MiB" % (total_import, rss_import))
    print("list --format jsonl:     %6.2f s, %d rows, %.0f MiB" % (dt_list, rows, os.path.getsize(out) / 2**20))
    print("list (text table):       %6.2f s (target <= 1 s)" % dt_text)
    print("list --no-owner --provider kubernetes: %6.2f s" % dt_filter)
    print("re-import of all files (no changes): %6.2f s" % dt_again)
    print("report summary:          %6.2f s" % dt_summary)
    print("report risk --format csv: %5.2f s" % dt_risk)
    print("peak RSS of any child:   %.0f MiB" % rss)
    if not a.keep:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
