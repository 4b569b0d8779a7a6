#!/usr/bin/env python3
"""`nhi report` at scale: two quarters of an inventory of N identities (default 100,000),
then every report on it, each timed with its own peak RSS, next to the floor of reading the
same rows with the sqlite3 shell in the same run.

usage: report.py --nhi PATH [--identities 100000] [--keep DIR]

Quarter 1 is imported and recorded as a review; quarter 2 removes 1% of the Kubernetes
service accounts, adds 1% new ones and drops half the owner labels of one team, so
`report diff` and the HTML page's trend and changes have real work.

Targets (issue 6, this 2-core machine, 100,000 identities): each report on one inventory
<= 5 s; `report diff` and the HTML page, which load two (now and the last review), <= 10 s;
peak RSS <= 1 GiB; the HTML page drawn by Chromium in <= 10 s. No other tool reports on an NHI inventory, so the
reference is the sqlite3 shell dumping the identity, credential and owner rows (no
assessment, no rendering): the ratio is what nhi's risk model and rendering cost on top of
reading the data.
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import inventory  # noqa: E402  (the generators of bench/inventory.py)


def run(cmd, cwd, out_path=os.devnull):
    """Runs cmd with stdout to a file; returns (seconds, peak RSS MiB of that process)."""
    t = time.perf_counter()
    with open(out_path, "w") as out:
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t
    err = p.stderr.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1: a --fail-on gate tripped, still a report
        sys.exit("%s failed (%d): %s" % (" ".join(cmd), code, err[-500:]))
    return dt, usage.ru_maxrss / 1024


def quarter_two(path):
    """The next quarter's Kubernetes export: 1% removed, 1% added, team-07 labels half gone."""
    with open(path) as f:
        doc = json.load(f)
    items, kept = doc["items"], []
    sas = [i for i in items if i["kind"] == "ServiceAccount"]
    removed = {i["metadata"]["name"] for i in sas[::100]}
    for it in items:
        md = it["metadata"]
        if it["kind"] == "ServiceAccount" and md["name"] in removed:
            continue
        if md.get("labels", {}).get("team") == "team-07" and hash(md["name"]) % 2:
            md["labels"] = {}
        kept.append(it)
    for i in range(len(sas) // 100):
        kept.append({"apiVersion": "v1", "kind": "ServiceAccount",
                     "metadata": {"name": "new-%06d" % i, "namespace": "ns-new", "uid": "%032x" % (i + 1),
                                  "creationTimestamp": "2025-05-01T10:00:00Z"}})
    doc["items"] = kept
    with open(path, "w") as f:
        json.dump(doc, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nhi", required=True, type=os.path.abspath)
    ap.add_argument("--identities", type=int, default=100000)
    ap.add_argument("--keep")
    a = ap.parse_args()
    if not shutil.which("sqlite3"):
        sys.exit("sqlite3 (Debian package sqlite3) is needed for the reference")
    root = a.keep or tempfile.mkdtemp(prefix="nhi-report-bench-")
    os.makedirs(root, exist_ok=True)
    files = inventory.generate(root, a.identities)
    db = os.path.join(root, "bench.db")
    if os.path.exists(db):
        os.remove(db)
    nhi = [a.nhi]
    t = time.perf_counter()
    subprocess.run(nhi + ["inventory", "import", "--db", db] + [p for p, _ in files], cwd=root, check=True,
                   capture_output=True)
    now = "2025-06-16T09:00:00Z"
    subprocess.run(nhi + ["report", "summary", "--record", "--db", db, "--now", now], cwd=root, check=True,
                   capture_output=True)
    quarter_two(files[0][0])
    subprocess.run(nhi + ["inventory", "import", "--db", db, files[0][0]], cwd=root, check=True, capture_output=True)
    print("inventory: %d identities, two quarters imported in %.1f s" % (a.identities, time.perf_counter() - t))

    floor_sql = ("SELECT i.id, i.key, i.data, c.key, c.data, o.owner FROM identity i "
                 "LEFT JOIN credential c ON c.identity_id = i.id LEFT JOIN owner o ON o.identity_id = i.id "
                 "AND o.ended_run IS NULL")
    floor, floor_rss = run(["sqlite3", "-csv", db, floor_sql], root)
    print("reference: sqlite3 dump of the same rows  %6.2f s  %5.0f MiB" % (floor, floor_rss))
    cases = [("summary", ["report", "summary"], None),
             ("summary --format json", ["report", "summary", "--format", "json"], None),
             ("risk --format csv", ["report", "risk", "--format", "csv"], None),
             ("risk --format json", ["report", "risk", "--format", "json"], None),
             ("owners", ["report", "owners"], None),
             ("expiry --format csv", ["report", "expiry", "--format", "csv"], None),
             ("diff (since the review)", ["report", "diff", "--format", "json"], None),
             ("summary --format html", ["report", "summary", "--format", "html"], "review.html"),
             ("risk --format html --min-tier medium", ["report", "risk", "--format", "html", "--min-tier", "medium"],
              "medium.html")]
    print("%-40s %8s %8s %9s %9s" % ("nhi report", "seconds", "x floor", "peak MiB", "output"))
    worst = 0.0
    for label, args, out_name in cases:
        out = os.path.join(root, out_name or "out.txt")
        dt, rss = run(nhi + args + ["--db", db, "--now", now], root, out)
        size = os.path.getsize(out) / 2**20
        worst = max(worst, rss)
        print("%-40s %8.2f %8.1f %9.0f %7.1f MiB" % (label, dt, dt / floor if floor else 0, rss, size))
    with open(os.path.join(root, "review.html")) as f:
        html = f.read()
    opening = '<script id="nhi-data" type="application/json">'
    data = html[html.index(opening) + len(opening):]
    rows = json.loads(data[:data.index("</script>")])
    print("html: %d table rows, %d charts, external references: %d" % (
        len(rows), html.count('<svg role="img"'), sum(html.count(s) for s in ("http://", "https://"))))
    print("peak RSS of any report: %.0f MiB (target <= 1024)" % worst)
    if shutil.which("chromium"):  # how long a reader waits for the page (headless, first 100 rows drawn)
        t = time.perf_counter()
        subprocess.run(["timeout", "300", "chromium", "--headless", "--no-sandbox", "--disable-gpu",
                        "--user-data-dir=" + os.path.join(root, "profile"), "--window-size=1280,2000",
                        "--screenshot=" + os.path.join(root, "review.png"), "file://" + os.path.join(root, "review.html")],
                       cwd=root, capture_output=True)
        print("chromium: review.html loaded, drawn and captured in %.1f s" % (time.perf_counter() - t))
    if not a.keep:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
