#!/usr/bin/env python3
"""Token filters measured: Shannon entropy against the token model (rules/token_model.hpp).

usage:
  token_filter.py labelled [--seed S] [--per-kind N]      # a generated labelled set
  token_filter.py corpora --nhi PATH [--accuracy PATH]     # nhi scan per filter and rule family
  token_filter.py repos --nhi PATH [--list] DIR...          # what each filter drops in real trees

`labelled` builds two classes and scores each string with the model (bench/token_score.cpp,
compiled here against a freshly trained table) and with entropy:
  random   tokens of the alphabets and lengths providers issue (base62, base64, base64url,
           lower/upper alphanumeric, hex), drawn from `random` with a seed: none is real;
  wordlike identifiers, words, paths, package names and placeholder phrases taken from this
           machine but NOT from what the model is trained on: Python's standard library
           (identifiers and dotted module names), /usr/include (C identifiers), the installed
           Debian package names, /usr/share paths, English words of /usr/share/doc texts, and
           placeholder phrases composed from a small list.
A filter "keeps" a string it would report. Recall = random kept / random; word rejection =
wordlike dropped / wordlike; precision = random kept / all kept (classes of equal size).

`corpora` runs `nhi scan` through bench/corpus.py and the shared accuracy.py (noseyparker
examples, leaky-repo) once per setting of NHI_TOKEN_FILTER (the benchmarking override read by
rules/loader.cpp: `FAMILY=MODE,...`), one family changed at a time from all-entropy, so each
family's figures are side by side: `password` (generic rules for passwords), `secret` (the other
generic rules: keys, tokens, secrets), `keyword` (provider rules found by a keyword before the
value, claiming no prefix).

`repos` scans real trees per setting and counts, per family, the findings above info each
setting drops or adds against all-entropy; --list names them (rule, path, line; never the value).
"""
import argparse, glob, json, math, os, random, re, string, subprocess, sys, tempfile
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DICT = "/usr/share/dict/american-english"


def build_scorer(tmp):
    gen, score, table = (os.path.join(tmp, n) for n in ("gen", "score", "table.cpp"))
    cc = ["g++", "-std=c++20", "-O2", "-I" + ROOT]
    subprocess.run(cc + [ROOT + "/rules/token_model_gen.cpp", ROOT + "/rules/token_model.cpp", "-o", gen], check=True)
    subprocess.run([gen, table, DICT, ROOT + "/rules/token_model_words.txt"], check=True)
    subprocess.run(cc + [HERE + "/token_score.cpp", ROOT + "/rules/token_model.cpp", table, "-o", score], check=True)
    return score


def entropy(s):
    n = len(s.encode())
    return -sum(c / n * math.log2(c / n) for c in Counter(s.encode()).values()) if n else 0.0


def entropy_floor(min_entropy, s):  # as rules/engine.cpp entropy_floor()
    if s.isdigit():
        return min(min_entropy, 0.75 * 3.32)
    if all(c in string.hexdigits for c in s):
        return min(min_entropy, 0.75 * 4.0)
    return min_entropy


def random_tokens(r, n):
    kinds = {
        "base62": (string.ascii_letters + string.digits, (16, 20, 24, 32, 40)),
        "base64": (string.ascii_letters + string.digits + "+/", (24, 32, 44)),
        "base64url": (string.ascii_letters + string.digits + "-_", (22, 32, 43)),
        "lower+digits": (string.ascii_lowercase + string.digits, (20, 32, 40)),
        "upper+digits": (string.ascii_uppercase + string.digits, (16, 20, 32)),
        "lower": (string.ascii_lowercase, (16, 24, 32)),
        "hex": ("0123456789abcdef", (32, 40, 64)),
    }
    out = []
    for kind, (alphabet, lengths) in kinds.items():
        for _ in range(n):
            out.append((kind, "".join(r.choice(alphabet) for _ in range(r.choice(lengths)))))
    return out


IDENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]{7,40}\b")


def sample(r, items, n):
    items = sorted(set(items))
    return r.sample(items, min(n, len(items)))


def wordlike(r, n):
    out = []
    py = sorted(glob.glob("/usr/lib/python3.11/**/*.py", recursive=True))
    ids, mods = [], []
    for p in py[:400]:
        try:
            ids += [i for i in IDENT.findall(open(p, errors="ignore").read()) if not i.isupper() or "_" in i]
        except OSError:
            pass
        rel = os.path.relpath(p, "/usr/lib/python3.11")[:-3]
        mods.append(rel.replace("/", ".").replace(".__init__", ""))
    out += [("python identifier", s) for s in sample(r, ids, n)]
    out += [("python module", s) for s in sample(r, [m for m in mods if len(m) >= 8], n)]
    cids = []
    for p in sorted(glob.glob("/usr/include/*.h"))[:200]:
        cids += IDENT.findall(open(p, errors="ignore").read())
    out += [("C identifier", s) for s in sample(r, [c for c in cids if not c.startswith("__")], n)]
    pkgs = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\n"], capture_output=True, text=True).stdout.split()
    out += [("debian package", s) for s in sample(r, [p for p in pkgs if len(p) >= 8], n)]
    paths = []
    for dirpath, dirs, files in os.walk("/usr/share"):
        dirs.sort()
        for f in sorted(files)[:5]:
            paths.append(os.path.relpath(os.path.join(dirpath, f), "/usr/share"))
        if len(paths) > 20000:
            break
    out += [("path", s) for s in sample(r, [p for p in paths if 8 <= len(p) <= 60], n)]
    words = []
    for p in sorted(glob.glob("/usr/share/doc/*/copyright"))[:300]:
        words += re.findall(r"\b[a-z]{8,20}\b", open(p, errors="ignore").read())
    out += [("english word", s) for s in sample(r, words, n)]
    parts = ["your", "my", "api", "key", "secret", "token", "here", "replace", "with", "insert", "the", "real",
             "access", "password", "change", "this", "super", "dummy", "test", "value", "sample", "demo", "put",
             "client", "private", "service", "account", "default", "local", "development"]
    styles = [lambda ws: "_".join(ws), lambda ws: "-".join(ws), lambda ws: "".join(w.title() for w in ws),
              lambda ws: ws[0] + "".join(w.title() for w in ws[1:]), lambda ws: "_".join(ws).upper()]
    phrases = set()
    while len(phrases) < n:
        ws = [r.choice(parts) for _ in range(r.randint(2, 5))]
        phrases.add(r.choice(styles)(ws))
    out += [("placeholder phrase", s) for s in sorted(phrases)]
    return out


def labelled(args):
    r = random.Random(args.seed)
    pos, neg = random_tokens(r, args.per_kind), wordlike(r, args.per_kind)
    with tempfile.TemporaryDirectory() as tmp:
        score = build_scorer(tmp)
        rows = pos + neg
        p = subprocess.run([score], input="\n".join(s for _, s in rows) + "\n", capture_output=True, text=True, check=True)
        scores = [line.split("\t") for line in p.stdout.splitlines()]
    data = [(kind, s, float(sc[0]), sc[3] == "1", entropy(s)) for (kind, s), sc in zip(rows, scores)]
    npos, nneg = len(pos), len(neg)
    print("labelled set: %d random tokens, %d word-like strings (seed %d)" % (npos, nneg, args.seed))
    print("\nmean model score (bits/char) and entropy by kind, share the model calls word-like:")
    for kind in dict.fromkeys(k for k, *_ in data):
        ds = [d for d in data if d[0] == kind]
        print("  %-20s n=%-4d model %5.2f  entropy %4.2f  word-like %5.1f%%" % (
            kind, len(ds), sum(d[2] for d in ds) / len(ds), sum(d[4] for d in ds) / len(ds),
            100 * sum(d[3] for d in ds) / len(ds)))
    if args.verbose:
        for kind, s, sc, w, h in data:
            print("%-20s %6.2f %d %4.2f %s" % (kind, sc, w, h, s))

    is_pos = [i < npos for i in range(len(data))]
    def table(name, keep):
        kept = [keep(d) for d in data]
        tp = sum(k and p for k, p in zip(kept, is_pos))
        fp = sum(k and not p for k, p in zip(kept, is_pos))
        print("  %-34s recall %5.1f%%  word rejection %5.1f%%  precision %5.1f%%" % (
            name, 100 * tp / npos, 100 * (nneg - fp) / nneg, 100 * tp / max(tp + fp, 1)))
    print("\nfilters (keep = would report):")
    for me in (3.0, 3.5, 3.8):
        table("entropy >= %.1f (scaled floor)" % me, lambda d, me=me: d[4] >= entropy_floor(me, d[1]))
    table("model (not word-like)", lambda d: not d[3])
    for me in (3.0, 3.5, 3.8):
        table("both, entropy %.1f" % me, lambda d, me=me: not d[3] and d[4] >= entropy_floor(me, d[1]))


CORPORA = ("corpus", "examples", "leaky")
# Each setting changes one family from the all-entropy base (later items win).
BASE = "generic=entropy,keyword=entropy"
SETTINGS = ["generic=entropy", "password=ngram", "password=both", "secret=ngram", "secret=both", "keyword=ngram",
            "keyword=both"]


def run_corpus(kind, nhi, accuracy, env):
    if kind == "corpus":
        cmd = [sys.executable, HERE + "/corpus.py", "score", "--nhi", nhi]
    else:
        cmd = [sys.executable, accuracy, kind, "--nhi", nhi]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    lines = [l for l in p.stdout.splitlines() if l.strip()]
    return lines[-1] if lines else "failed: " + p.stderr.strip()[-300:]


def corpora(args):
    nhi = os.path.abspath(args.nhi)
    for s in SETTINGS + [""]:
        env = dict(os.environ)
        env["NHI_TOKEN_FILTER"] = BASE + "," + s if s else ""
        print("NHI_TOKEN_FILTER=%s" % (s or "(unset: the rules' own token_filter)"))
        for kind in CORPORA:
            print("  %-9s %s" % (kind, run_corpus(kind, nhi, args.accuracy, env)))
        sys.stdout.flush()


def families():
    import yaml  # python3-yaml
    fam = {}
    for f in sorted(glob.glob(ROOT + "/rules/data/*.yml")):
        for r in yaml.safe_load(open(f))["rules"]:
            if r.get("generic"):  # as rules/loader.cpp rule_family()
                fam[r["id"]] = "password" if "password" in (r.get("nhi") or {}).get("kind", "") else "secret"
            else:
                fam[r["id"]] = "keyword" if not r.get("claims") else "prefixed"
    return fam


def findings(nhi, root, env):
    p = subprocess.run([nhi, "scan", root, "--no-db", "--format", "jsonl", "--fail-on", "none"],
                       capture_output=True, text=True, env=env)
    out = set()
    for line in p.stdout.splitlines():
        if line.startswith("{"):
            f = json.loads(line)
            if f.get("severity") != "info":
                out.add((f["rule"], f["path"], f["line"]))
    return out


def repos(args):
    """Real trees: which findings each filter drops, per family. Dropped findings are listed
    by rule, path and line (never the value) for labelling by hand with --list."""
    nhi, fam = os.path.abspath(args.nhi), families()
    for root in args.dirs:
        env = dict(os.environ)
        env["NHI_TOKEN_FILTER"] = BASE
        base = findings(nhi, root, env)
        counts = Counter(fam.get(r, "?") for r, *_ in base)
        print("%s: %d findings above info with entropy only (%s)" % (
            root, len(base), ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
        for setting in SETTINGS[1:] + [""]:
            env["NHI_TOKEN_FILTER"] = BASE + "," + setting if setting else ""
            got = findings(nhi, root, env)
            dropped, added = sorted(base - got), sorted(got - base)
            print("  %-30s dropped %s; added %s" % (setting or "(the rules' own)", dict(Counter(fam.get(r, "?") for r, *_ in dropped)),
                                                   dict(Counter(fam.get(r, "?") for r, *_ in added))))
            if args.list:
                for r, path, line in dropped:
                    print("    - %s %s:%d" % (r, path, line))
                for r, path, line in added:
                    print("    + %s %s:%d" % (r, path, line))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("labelled")
    a.add_argument("--seed", type=int, default=14)
    a.add_argument("--per-kind", type=int, default=300)
    a.add_argument("--verbose", action="store_true")
    b = sub.add_parser("corpora")
    b.add_argument("--nhi", required=True)
    b.add_argument("--accuracy", default="/work/shared/bench/accuracy.py")
    c = sub.add_parser("repos")
    c.add_argument("--nhi", required=True)
    c.add_argument("--list", action="store_true")
    c.add_argument("dirs", nargs="+")
    args = ap.parse_args()
    {"labelled": labelled, "corpora": corpora, "repos": repos}[args.cmd](args)


if __name__ == "__main__":
    main()
