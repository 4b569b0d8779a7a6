#!/usr/bin/env python3
"""A self-generated accuracy corpus: realistic source and config files with planted secrets
and realistic decoys, scored line by line.

usage:
  corpus.py generate DIR [--files N] [--seed S]   # write the tree and DIR/.truth.json
  corpus.py score --nhi PATH [--files N] [--seed S] [--keep DIR] [--verbose]

Every planted secret has the structure its provider documents (GitHub and npm CRC-32
checksums included) but is random, so none is real. Decoys are what real repositories are
full of and what a scanner must not report: lockfile and SRI hashes, git SHAs, UUIDs,
base64 images, placeholders, environment and secret-store references, documentation keys,
and tokens whose checksum is wrong.

Recall = planted lines reported / planted lines. Precision = reported lines that are
planted / reported lines. The last line printed is the headline figure.
"""
import argparse, base64, binascii, hashlib, hmac, json, os, random, shutil, string, subprocess, sys, tempfile, time, uuid

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def s(self, n, alphabet=ALNUM):
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def hex(self, n):
        return self.s(n, "0123456789abcdef")

    def b62(self, value, width):
        out = ""
        while True:
            out = B62[value % 62] + out
            value //= 62
            if value == 0:
                break
        return out.rjust(width, "0")

    def crc_token(self, prefix, good=True):
        body = self.s(30)
        crc = binascii.crc32(body.encode()) & 0xFFFFFFFF
        if not good:
            crc ^= 0x5A5A
        return prefix + body + self.b62(crc, 6)

    def uuid(self):
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def password(self):
        words = ["orbit", "Falcon", "maple", "Quartz", "river", "Tango", "ember", "Nimbus"]
        return self.r.choice(words) + self.s(4, string.digits) + self.r.choice("!@%^*") + self.s(5)

    # --- planted secrets: (value, how a line carries it) -------------------------------
    def aws_pair(self):
        kid = "AKIA" + self.s(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        return kid, self.s(40, ALNUM + "+/")

    def jwt(self):
        head = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")
        claims = {"sub": "svc-" + self.s(6).lower(), "iss": "https://auth.example.internal",
                  "exp": int(time.time()) + self.r.randint(10**6, 10**8)}
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
        sig = base64.urlsafe_b64encode(hmac.new(self.s(32).encode(), head + b"." + body, hashlib.sha256).digest()).rstrip(b"=")
        return (head + b"." + body + b"." + sig).decode()

    def pem(self):
        der = bytes([0x30, 0x82, 0x04, 0xA4, 0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01, 0x00]) + bytes(self.r.getrandbits(8) for _ in range(1180))
        b = base64.b64encode(der).decode()
        return "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(b[i:i + 64] for i in range(0, len(b), 64)) + "\n-----END RSA PRIVATE KEY-----"


def planted_lines(g):
    """(file kind, line text) pairs that each carry one secret."""
    kid, sec = g.aws_pair()
    openai = "sk-proj-" + g.s(58, ALNUM + "_-") + "T3BlbkFJ" + g.s(58, ALNUM + "_-")
    return [
        ("env", "AWS_ACCESS_KEY_ID=" + kid),
        ("env", "AWS_SECRET_ACCESS_KEY=" + sec),
        ("env", "GITHUB_TOKEN=" + g.crc_token("ghp_")),
        ("env", "NPM_TOKEN=" + g.crc_token("npm_")),
        ("env", "OPENAI_API_KEY=" + openai),
        ("env", "ANTHROPIC_API_KEY=sk-ant-api03-" + g.s(93, ALNUM + "_-") + "AA"),
        ("env", "STRIPE_SECRET_KEY=sk_live_" + g.s(99)),
        ("env", "SLACK_BOT_TOKEN=xoxb-%d-%d-%s" % (g.r.randint(10**10, 10**12), g.r.randint(10**10, 10**12), g.s(24))),
        ("env", "DATABASE_URL=postgres://orders:%s@db.internal:5432/orders" % g.password()),
        ("env", "DB_PASSWORD=" + g.password()),
        ("env", "HF_TOKEN=hf_" + g.s(34, string.ascii_letters)),
        ("env", "SENDGRID_API_KEY=SG.%s.%s" % (g.s(22, ALNUM + "_-"), g.s(43, ALNUM + "_-"))),
        ("env", "DD_API_KEY=" + g.hex(32)),
        ("env", "TAVILY_API_KEY=tvly-" + g.s(32)),
        ("py", 'GOOGLE_MAPS_KEY = "AIza%s"' % g.s(35, ALNUM + "_-")),
        ("py", 'client = Groq(api_key="gsk_%s")' % g.s(52)),
        ("py", 'SECRET_KEY = "django-insecure-%s"' % g.s(50, ALNUM + "!@%^*(-_=+)")),
        ("js", "const token = '%s';" % g.jwt()),
        ("js", "const gitlab = 'glpat-%s';" % g.s(20, ALNUM + "_-")),
        ("js", "twilio('SK%s', process.env.TWILIO_SECRET);" % g.hex(32)),
        ("yaml", "  password: \"%s\"" % g.password()),
        ("yaml", "  webhook: https://hooks.slack.com/services/T%s/B%s/%s" % (g.s(10, string.ascii_uppercase + string.digits), g.s(10, string.ascii_uppercase + string.digits), g.s(24))),
        ("npmrc", "//registry.npmjs.org/:_authToken=" + g.crc_token("npm_")),
        ("docker", '    "auth": "%s"' % base64.b64encode(("ci-bot:" + g.password()).encode()).decode()),
        ("tf", '  access_key = "%s"' % g.aws_pair()[0]),
        ("netrc", "machine git.example.com login deploy password " + g.password()),
    ]


def decoy_lines(g):
    """Lines a scanner must not report."""
    bad_gh = g.crc_token("ghp_", good=False)
    return [
        ("env", "GITHUB_TOKEN=" + bad_gh),  # wrong checksum
        ("env", "NPM_TOKEN=" + g.crc_token("npm_", good=False)),
        ("env", "DB_PASSWORD=${DB_PASSWORD}"),
        ("env", "OPENAI_API_KEY=sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxT3BlbkFJxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        ("env", "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"),
        ("env", "AWS_SECRET_ACCESS_KEY=<your-secret-access-key>"),
        ("env", "SESSION_TOKEN_ID=" + g.uuid()),
        ("env", "STRIPE_SECRET_KEY=sk_live_your_key_here"),
        ("py", 'API_KEY = os.environ["API_KEY"]'),
        ("py", 'request_id = "%s"' % g.uuid()),
        ("py", 'CHECKSUM_SHA256 = "%s"' % g.hex(64)),
        ("py", 'password = getpass.getpass("Password: ")'),
        ("js", "const key = process.env.SLACK_TOKEN;"),
        ("js", "import logo from 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA%s';" % g.s(160, ALNUM + "+/")),
        ("js", "const commit = '%s';" % g.hex(40)),
        ("js", "const chunk = 'static/js/main.%s.chunk.js';" % g.hex(8)),
        ("html", '<script src="/app.js" integrity="sha384-%s" crossorigin="anonymous"></script>' % g.s(64, ALNUM + "+/")),
        ("json", '    "integrity": "sha512-%s==",' % g.s(86, ALNUM + "+/")),
        ("json", '    "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",'),
        ("yaml", "  token: ${{ secrets.DEPLOY_TOKEN }}"),
        ("yaml", "  password: changeme"),
        ("yaml", "  api_key: \"{{ vault_api_key }}\""),
        ("yaml", "  id: " + g.uuid()),
        ("md", "Set `GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx` in your shell."),
        ("md", "export ANTHROPIC_API_KEY=<your-api-key>"),
        ("tf", '  password = var.db_password'),
        ("tf", '  secret   = data.aws_secretsmanager_secret_version.db.secret_string'),
    ]


FILLER = {
    "env": ["# service configuration", "LOG_LEVEL=info", "PORT=8080", "FEATURE_FLAGS=search,export"],
    "py": ["import os", "import getpass", "", "def handler(event):", "    return {'status': 200}"],
    "js": ["'use strict';", "const express = require('express');", "module.exports = { start };"],
    "yaml": ["service:", "  name: orders", "  replicas: 3", "  image: ghcr.io/example/orders:1.4.2"],
    "html": ["<!doctype html>", "<html><head><title>Orders</title></head>", "<body><div id=\"root\"></div></body></html>"],
    "json": ["{", '  "name": "orders-ui",', '  "version": "1.4.2"', "}"],
    "md": ["# Setup", "", "Run `make` and then start the service."],
    "tf": ['resource "aws_db_instance" "orders" {', '  engine = "postgres"', "}"],
    "npmrc": ["registry=https://registry.npmjs.org/", "save-exact=true"],
    "docker": ['{', '  "auths": {', '    "ghcr.io": {', "    }", "  }", "}"],
    "netrc": ["default login anonymous"],
}
NAMES = {"env": ".env", "py": "settings.py", "js": "config.js", "yaml": "values.yaml", "html": "index.html",
         "json": "package-lock.json", "md": "README.md", "tf": "main.tf", "npmrc": ".npmrc",
         "docker": "config.json", "netrc": ".netrc"}


def generate(root, files, seed):
    g = Gen(seed)
    truth = []
    for i in range(files):
        kind = list(NAMES)[i % len(NAMES)]
        lines = list(FILLER[kind])
        planted = [l for k, l in planted_lines(g) if k == kind]
        decoys = [l for k, l in decoy_lines(g) if k == kind]
        marks = []
        for text in planted + decoys:
            at = g.r.randint(1, len(lines))  # never before line 1 of a JSON/docker skeleton
            lines.insert(at, text)
            marks = [(m + 1 if m >= at else m) for m in marks]
            if text in planted:
                marks.append(at)
        if kind == "py" and g.r.random() < 0.5:
            lines.append("PRIVATE_KEY = '''" + g.pem() + "'''")  # reported at its BEGIN line
            marks.append(len(lines) - 1)
        rel = os.path.join("svc%03d" % i, NAMES[kind])
        os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
        with open(os.path.join(root, rel), "w") as f:
            f.write("\n".join(lines) + "\n")
        truth += [{"path": rel, "line": m + 1} for m in marks]
    with open(os.path.join(root, ".truth.json"), "w") as f:
        json.dump(truth, f, indent=0)
    return truth


def score(nhi, files, seed, keep, verbose):
    tmp = keep or tempfile.mkdtemp(prefix="nhi-corpus-")
    if keep and os.path.exists(keep):
        shutil.rmtree(keep)
    os.makedirs(tmp, exist_ok=True)
    truth = generate(tmp, files, seed)
    env = dict(os.environ, CI="true")
    p = subprocess.run([nhi, "scan", ".", "--format", "jsonl", "--no-ignore"], cwd=tmp, capture_output=True, text=True, env=env)
    if p.returncode not in (0, 1):
        sys.exit("nhi scan exited %d: %s" % (p.returncode, p.stderr.strip()[-400:]))
    found, context = {}, 0
    for line in p.stdout.splitlines():
        if line.startswith("{"):
            f = json.loads(line)
            # Context findings (severity info: the user or host beside a secret) claim no
            # secret; the planted truth holds only secrets, so they are counted apart.
            if f.get("severity") == "info":
                context += 1
                continue
            found[(os.path.normpath(f["path"]), int(f["line"]))] = f["rule"]
    want = {(os.path.normpath(t["path"]), t["line"]) for t in truth}
    tp = len(want & found.keys())
    fps = sorted(found.keys() - want)
    fns = sorted(want - found.keys())
    if verbose:
        for k in fps:
            print("false positive %s:%d %s" % (k[0], k[1], found[k]))
        for k in fns:
            print("missed         %s:%d" % k)
    if not keep:
        shutil.rmtree(tmp)
    recall = tp / len(want) if want else 1.0
    precision = tp / len(found) if found else 1.0
    print("planted=%d reported=%d true=%d false_positives=%d missed=%d context_findings=%d" % (
        len(want), len(found), tp, len(fps), len(fns), context))
    print("generated-corpus: recall=%.3f precision=%.3f (files=%d seed=%d)" % (recall, precision, files, seed))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("dir")
    s = sub.add_parser("score")
    s.add_argument("--nhi", required=True, type=os.path.abspath)
    s.add_argument("--keep")
    s.add_argument("--verbose", action="store_true")
    for p in (g, s):
        p.add_argument("--files", type=int, default=220)
        p.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.cmd == "generate":
        t = generate(a.dir, a.files, a.seed)
        print("%d planted secrets in %s" % (len(t), a.dir))
    else:
        score(a.nhi, a.files, a.seed, a.keep, a.verbose)


if __name__ == "__main__":
    main()
