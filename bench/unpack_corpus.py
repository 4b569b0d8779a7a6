#!/usr/bin/env python3
"""Decoding and unpacking corpus: plants one fake GitHub token (valid CRC-32 checksum) in every
container and encoding `nhi scan` unpacks, adds decoys that must stay quiet, scans the tree and
scores it by secret_sha256. Also times the scan and, with --big N, a file of N MiB with a secret
at its end (peak RSS through /usr/bin/time).

usage: bench/unpack_corpus.py [--nhi build/nhi] [--dir /tmp/nhi-unpack-corpus] [--big 2048]

Python's standard library writes zip, tar, gzip, bzip2 and xz; the zstd and 7z cases are in the
e2e tests (tests/e2e/test_unpack.cpp), which write them with libarchive.
"""
import argparse, base64, bz2, gzip, hashlib, io, json, lzma, os, random, shutil, subprocess, sys, tarfile, time, zipfile, zlib

ALPHA = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def ghp(rng):
    body = "".join(rng.choice(ALPHA) for _ in range(30))
    n, tail = zlib.crc32(body.encode()), ""
    while n:
        n, r = divmod(n, 62)
        tail = ALPHA[r] + tail
    return "ghp_" + body + tail.rjust(6, "0")


def b64(s, url=False):
    raw = s.encode() if isinstance(s, str) else s
    return (base64.urlsafe_b64encode(raw) if url else base64.b64encode(raw)).decode()


def zip_of(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def tar_of(files, mode="w"):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as t:
        for name, data in files.items():
            data = data.encode() if isinstance(data, str) else data
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def build(root, rng):
    planted, decoys = {}, []
    shutil.rmtree(root, ignore_errors=True)

    def write(rel, data):
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)

    def plant(label):
        planted[label] = ghp(rng)
        return planted[label]

    props = lambda t: f"# app\nlog.level=info\ngithub.token={t}\n"
    write("k8s/secret.yaml", f"kind: Secret\ndata:\n  token: {b64(plant('k8s base64'))}\n")
    auth = b64("bot:" + plant("dockerconfigjson auth"))
    write("k8s/pull.yaml", "kind: Secret\ndata:\n  .dockerconfigjson: " + b64(json.dumps({"auths": {"ghcr.io": {"auth": auth}}})) + "\n")
    write("helm/values.yaml", "envFile: " + b64("GITHUB_TOKEN=" + plant("base64url env") + "\n", url=True) + "\n")
    write("web/page.html", f'<a href="data:text/plain;base64,{b64("token " + plant("data uri"))}">x</a>\n')
    write("web/app.js", 'const t = "' + "".join(f"\\x{ord(c):02x}" for c in plant("js \\x escape")) + '";\n')
    write("conf/app.json", '{"token": "' + "".join(f"\\u{ord(c):04x}" for c in plant("json \\u escape")) + '"}\n')
    write("conf/url.txt", "https://hooks.example.com/in?token=" + plant("percent").replace("_", "%5F") + "\n")
    write("win/a.ps1", ("\ufeff$env:GH = '" + plant("utf-16le bom") + "'\r\n").encode("utf-16-le"))
    write("win/b.reg", ('"Token"="' + plant("utf-16be") + '"\r\n').encode("utf-16-be"))
    write("win/c.txt", "\ufefftoken " + plant("utf-8 bom") + "\n")
    for ext in ("jar", "war", "ear", "apk", "whl", "nupkg", "egg", "zip"):
        write(f"dist/app.{ext}", zip_of({"BOOT-INF/classes/application.properties": props(plant("zip " + ext))}))
    write("dist/app.tar", tar_of({"etc/app.properties": props(plant("tar"))}))
    write("dist/app.tar.gz", tar_of({"etc/app.properties": props(plant("tar.gz"))}, "w:gz"))
    write("dist/app.tgz", tar_of({"etc/app.properties": props(plant("tgz"))}, "w:gz"))
    write("dist/app.tar.bz2", tar_of({"etc/app.properties": props(plant("tar.bz2"))}, "w:bz2"))
    write("dist/app.tar.xz", tar_of({"etc/app.properties": props(plant("tar.xz"))}, "w:xz"))
    write("logs/app.log.gz", gzip.compress(props(plant("gz")).encode()))
    write("logs/app.log.bz2", bz2.compress(props(plant("bz2")).encode()))
    write("logs/app.log.xz", lzma.compress(props(plant("xz")).encode()))
    write("dist/bundle.tar.gz", tar_of({"lib/inner.jar": zip_of({"app.properties": props(plant("jar in tar.gz"))})}, "w:gz"))
    layer = tar_of({"app/settings.ini": props(plant("docker save layer"))})
    write("images/app.tar", tar_of({"manifest.json": '[{"Layers":["3f1c/layer.tar"]}]', "3f1c/layer.tar": layer}))
    oci = tar_of({"srv/.env": "GITHUB_TOKEN=" + plant("oci layer") + "\n"}, "w:gz")
    write("oci/oci-layout", '{"imageLayoutVersion":"1.0.0"}')
    write("oci/blobs/sha256/" + hashlib.sha256(oci).hexdigest(), oci)

    # Decoys: nothing here is a secret.
    png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(rng.randrange(256) for _ in range(400))
    decoys += ["site/logo.txt", "site/readme.yaml", "tls/cert.pem", "docs/manual.zip", "bin/noise.b64", "site/logo.png"]
    write("site/logo.txt", "logo: " + b64(png) + "\n")
    write("site/logo.png", png)
    write("site/readme.yaml", "description: " + b64("This chart installs the web front end and its cache.") + "\n")
    der = b"\x30\x82\x03\x0a\x02\x82\x03\x01" + bytes(rng.randrange(256) for _ in range(700))
    body = b64(der)
    write("tls/cert.pem", "-----BEGIN CERTIFICATE-----\n" + "\n".join(body[i:i + 64] for i in range(0, len(body), 64)) + "\n-----END CERTIFICATE-----\n")
    write("docs/manual.zip", zip_of({"docs/setup.md": "Set GITHUB_TOKEN=<your-token> and API_KEY=xxxxxxxx.\n"}))
    write("bin/noise.b64", b64(bytes(rng.randrange(256) for _ in range(600))) + "\n")
    return planted, decoys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nhi", default="build/nhi")
    ap.add_argument("--dir", default="/tmp/nhi-unpack-corpus")
    ap.add_argument("--big", type=int, default=0, help="also scan a file of this many MiB with a secret at its end")
    a = ap.parse_args()
    rng = random.Random(13)
    planted, decoys = build(a.dir, rng)
    t0 = time.time()
    out = subprocess.run([a.nhi, "scan", a.dir, "--no-db", "--format", "json", "--no-config"], capture_output=True, text=True)
    secs = time.time() - t0
    doc = json.loads(out.stdout)
    found = {f["secret_sha256"]: f for f in doc["findings"]}
    hit = {k for k, v in planted.items() if hashlib.sha256(v.encode()).hexdigest() in found}
    wanted = {hashlib.sha256(v.encode()).hexdigest() for v in planted.values()}
    noise = [f for f in doc["findings"] if f["secret_sha256"] not in wanted]
    for k in sorted(set(planted) - hit):
        print("missed:", k)
    for f in noise:
        print("not planted:", f["path"], f["rule"])
    print(f"planted found: {len(hit)}/{len(planted)}; findings not planted (decoys included): {len(noise)}; "
          f"{len(doc['findings'])} findings in {secs:.2f}s; unpacked {doc['summary']['unpacked']}")
    if a.big:
        big = os.path.join(a.dir + "-big", "big.log")
        os.makedirs(os.path.dirname(big), exist_ok=True)
        line = b"INFO 2026-12-01 request handled path=/api/v1/items status=200 duration_ms=12\n"
        with open(big, "wb") as f:
            chunk = line * (1 << 14)
            for _ in range(a.big * (1 << 20) // len(chunk)):
                f.write(chunk)
            f.write(("DEBUG Using Key=" + planted["k8s base64"] + "\n").encode())
        r = subprocess.run(["/usr/bin/time", "-f", "%M %e", a.nhi, "scan", big, "--no-db", "--format", "jsonl"],
                           capture_output=True, text=True)
        rss, wall = r.stderr.strip().splitlines()[-1].split()
        ok = hashlib.sha256(planted["k8s base64"].encode()).hexdigest() in r.stdout
        print(f"big file: {a.big} MiB in {float(wall):.1f}s, peak RSS {int(rss) // 1024} MiB, secret at the end found: {ok}")
    return 0 if len(hit) == len(planted) and not noise else 1


if __name__ == "__main__":
    sys.exit(main())
