#!/usr/bin/env python3
"""Peak memory of `nhi inventory import` on one large kubectl export (issue 12: memory must
follow one record, not the file).

usage: import_rss.py --nhi PATH [--mb 300] [--secrets] [--keep DIR]

Writes a kubectl List of ServiceAccounts (with --secrets, each with a legacy token Secret) of
about MB megabytes, item by item so the generator stays small, then runs the import under
/usr/bin/time -v and prints its peak RSS. Run it under `nice -n 19` on a shared machine.
Measured (2026-12-01, 2 shared cores, peak RSS before streaming -> after):
  300 MB, 673,604 SAs with token secrets: 1,672,296 KB -> 14,972 KB
  300 MB, 1,434,223 SAs only:             2,065,080 KB -> 15,156 KB
"""
import argparse, json, os, re, shutil, subprocess, tempfile


def write_list(path, mb, secrets):
    n = 0
    with open(path, "w") as f:
        f.write('{"apiVersion": "v1", "kind": "List", "items": [')
        while f.tell() < mb * 2**20:
            name, ns = "sa-%07d" % n, "ns%03d" % (n % 500)
            items = [{"apiVersion": "v1", "kind": "ServiceAccount",
                      "metadata": {"name": name, "namespace": ns, "uid": "%032x" % (n * 7919),
                                   "creationTimestamp": "2024-%02d-%02dT10:00:00Z" % (1 + n % 12, 1 + n % 28),
                                   "labels": {"team": "team-%02d" % (n % 40)} if n % 3 else {}}}]
            if secrets:
                items.append({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
                              "metadata": {"name": name + "-token", "namespace": ns,
                                           "creationTimestamp": "2024-01-01T00:00:00Z",
                                           "annotations": {"kubernetes.io/service-account.name": name}}})
            f.write(("" if n == 0 else ",\n") + ",\n".join(json.dumps(i) for i in items))
            n += 1
        f.write("]}\n")
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nhi", required=True, type=os.path.abspath)
    ap.add_argument("--mb", type=int, default=300)
    ap.add_argument("--secrets", action="store_true")
    ap.add_argument("--keep")
    a = ap.parse_args()
    root = a.keep or tempfile.mkdtemp(prefix="nhi-import-rss-")
    os.makedirs(root, exist_ok=True)
    export = os.path.join(root, "list.json")
    n = write_list(export, a.mb, a.secrets)
    print("wrote %s: %d service accounts%s, %.0f MiB" % (export, n, " with token secrets" if a.secrets else "",
                                                         os.path.getsize(export) / 2**20))
    db = os.path.join(root, "rss.db")
    for p in (db, db + "-wal", db + "-shm"):
        if os.path.exists(p):
            os.remove(p)
    p = subprocess.run(["/usr/bin/time", "-v", a.nhi, "inventory", "import", "--db", db, export],
                       capture_output=True, text=True)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", p.stderr)
    print("exit %d, peak RSS %s KB, wall %s" % (p.returncode, rss.group(1) if rss else "?", wall.group(1) if wall else "?"))
    if not a.keep:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
