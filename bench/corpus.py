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

    def token(self, n=32):
        """A generic API key or token: random letters and digits, no provider prefix."""
        return self.s(n)

    def jenkins_secret(self, plain_len=24):
        """A Jenkins credentials.xml secret: {base64(version 1, IV length 16, data length, IV,
        AES-CBC ciphertext)}; random bytes stand in for the IV and ciphertext."""
        ct = (plain_len // 16 + 1) * 16
        blob = bytes([1]) + (16).to_bytes(4, "big") + ct.to_bytes(4, "big") + bytes(self.r.getrandbits(8) for _ in range(16 + ct))
        return "{" + base64.b64encode(blob).decode() + "}"

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


def code_planted(g):
    """Generic secrets in the shapes real code has: assignments per language, struct and map
    literals, constructor and setter arguments, HTTP headers, query strings, log lines,
    nested YAML/INI/TOML, XML and Jenkins credentials, properties and Terraform. An entry is
    (kind, text) or (kind, text, k): a block of several lines whose k-th line (or lines, when
    k is a tuple) holds the secret."""
    t, p = g.token, g.password
    kid, sec = g.aws_pair()
    return [
        ("go", '\tapiKey := "%s"' % t()),
        ("go", 'var authToken = "%s"' % t()),
        ("go", '\t\tAPIKey:      "%s",' % t()),
        ("go", '\tts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "%s"})' % t(40)),
        ("go", '\ttokenClient := billing.NewClient("%s")' % t()),
        ("java", '    private static final String API_SECRET = "%s";' % t()),
        ("java", '        String githubToken = "%s";' % t(40)),
        ("java", '        client.setApiKey("%s");' % t()),
        ("java", '        builder.withCredentials("svc-deploy", "%s");' % p()),
        ("java", '        AWSCredentials creds = new BasicAWSCredentials("%s", "%s");' % (kid, sec)),
        ("kt", '    val token = "%s"' % t()),
        ("kt", '    const val SIGNING_KEY: String = "%s"' % t()),
        ("kt", '    private val apiSecret: String = "%s"' % t()),
        ("cs", '            Secret = "%s",' % t()),
        ("cs", '            AccessToken = "%s",' % t()),
        ("cs", '        private const string ApiKey = "%s";' % t()),
        ("swift", 'let secret = "%s"' % t()),
        ("swift", '    static let apiKey: String = "%s"' % t()),
        ("swift", '    request.setValue("%s", forHTTPHeaderField: "X-Api-Key")' % t()),
        ("rs", '    let api_key: &str = "%s";' % t()),
        ("rs", 'const AUTH_TOKEN: &str = "%s";' % t()),
        ("rs", "pub static SECRET_KEY: &'static str = \"%s\";" % t()),
        ("php", "$apiKey = '%s';" % t()),
        ("php", "    'api_key' => '%s'," % t()),
        ("php", "define('STRIPE_SECRET', '%s');" % t()),
        ("php", "$config['auth_token'] = \"%s\";" % t()),
        ("rb", "API_KEY = '%s'" % t()),
        ("rb", "  api_key: '%s'," % t()),
        ("rb", 'config[:api_key] = "%s"' % t()),
        ("rb", "  @access_token = '%s'" % t()),
        ("ts", 'const apiKey = "%s";' % t()),
        ("ts", "export const githubToken: string = '%s';" % t(40)),
        ("ts", "  headers: { 'X-Api-Key': '%s' }," % t()),
        ("ts", "const res = await fetch(`https://api.example.test/v1/items?api_key=%s&limit=50`);" % t()),
        ("py", 'API_TOKEN = "%s"' % t()),
        ("py", 'payload = {"api_key": "%s", "format": "json"}' % t()),
        ("py", 'r = requests.get("https://api.example.test/data?page=2&access_token=%s")' % t()),
        ("py", 'headers = {"Authorization": "Token %s"}' % t(40)),
        ("sh", "export TOKEN=%s" % t()),
        ("sh", 'curl -sf -H "Authorization: Token %s" https://ci.example.test/api/v2/builds' % t(40)),
        ("sh", 'curl -s "https://api.example.test/v1/report?format=csv&api_key=%s"' % t()),
        ("sh", "curl -H 'X-Api-Key: %s' https://api.example.test/v1/ping" % t()),
        ("ps1", '$env:API_KEY = "%s"' % t()),
        ("ps1", '$apiKey = "%s"' % t()),
        ("ps1", 'Invoke-RestMethod -Uri $uri -Headers @{ "X-Api-Key" = "%s" }' % t()),
        ("xml", "          <password>%s</password>" % g.jenkins_secret()),
        ("xml", "          <privateKey>%s</privateKey>" % g.jenkins_secret(1600)),
        ("xml", "          <secret>%s</secret>" % t()),
        ("properties", "app.api.key=%s" % t()),
        ("properties", "spring.datasource.password=%s" % p()),
        ("properties", "payments.client-secret=%s" % t()),
        ("ini", "[credentials]\nkey = %s" % t(), 1),
        ("ini", "password = %s" % p()),
        ("toml", 'api_key = "%s"' % t()),
        ("toml", '[auth]\nkey = "%s"' % t(), 1),
        ("tf", '  access_key = "%s"\n  secret_key = "%s"' % g.aws_pair(), (0, 1)),
        ("tf", 'provider "vault" {\n  address = "https://vault.example.test:8200"\n  token   = "hvs.%s"' % t(24), 2),
        ("tf", 'provider "vault" {\n  address = "https://vault.internal.test:8200"\n  token   = "s.%s"\n}' % t(24), 2),
        ("log", "2025-06-16 09:00:01,112 [DEBUG] Using Key=%s" % t()),
        ("log", "2025-06-16 09:00:02,431 INFO  auth ok token=%s user=svc-billing" % t()),
        ("log", '10.0.4.12 - - [16/Jun/2025:09:00:03 +0000] "GET /v1/items?api_key=%s HTTP/1.1" 200 512' % t()),
        ("log", "2025-06-16 09:00:04,007 DEBUG http: > Authorization: Token %s" % t(40)),
        ("yaml", "credentials:\n  key: %s" % t(), 1),
        ("yaml", "auth:\n  user: svc-orders\n  secret: \"%s\"" % t(), 2),
        ("yaml", "        - name: PAYMENTS_API_TOKEN\n          value: \"%s\"" % t(), 1),
    ]


def code_decoys(g):
    """What real code has in the same shapes and a scanner must not report: environment and
    configuration reads, variables, headers named but not given, templated query strings,
    redacted log values, UUIDs, hashes, placeholders, and values that are names."""
    return [
        ("go", '\tapiKey := os.Getenv("API_KEY")'),
        ("go", '\t\tAPIKey:      cfg.APIKey,'),
        ("go", '\ttokenClient := billing.NewClient(apiKey)'),
        ("go", 'var authToken = "REPLACE_WITH_YOUR_TOKEN"'),
        ("go", '\tsecretName := "projects/acme/secrets/stripe/versions/latest"'),
        ("java", '        String apiKey = System.getenv("API_KEY");'),
        ("java", '    private static final String TOKEN_HEADER = "Authorization";'),
        ("java", '        client.setApiKey(config.getApiKey());'),
        ("java", '        builder.withCredentials("svc-deploy", credentialsId);'),
        ("java", '        AWSCredentials creds = new BasicAWSCredentials(accessKey, secretKey);'),
        ("kt", "    val token = BuildConfig.API_TOKEN"),
        ("kt", '    const val SIGNING_KEY: String = "%s"' % g.uuid()),
        ("cs", '            Secret = Configuration["Jwt:Secret"],'),
        ("cs", '        var clientSecret = Environment.GetEnvironmentVariable("CLIENT_SECRET");'),
        ("cs", '            ApiKey = "00000000-0000-0000-0000-000000000000",'),
        ("swift", 'let secret = ProcessInfo.processInfo.environment["APP_SECRET"] ?? ""'),
        ("swift", '    static let apiKey: String = "<#API Key#>"'),
        ("swift", '    request.setValue(token, forHTTPHeaderField: "X-Api-Key")'),
        ("rs", '    let api_key = env::var("API_KEY")?;'),
        ("rs", 'const TOKEN_ENV: &str = "GITHUB_TOKEN_FOR_RELEASES";'),
        ("php", "$apiKey = getenv('API_KEY');"),
        ("php", "    'api_key' => env('STRIPE_KEY'),"),
        ("php", "define('AUTH_SECRET', 'put your unique phrase here');"),
        ("rb", "API_KEY = ENV.fetch('API_KEY')"),
        ("rb", "config[:api_key] = ENV['API_KEY']"),
        ("ts", "const apiKey = process.env.API_KEY ?? '';"),
        ("ts", "  headers: { 'X-Api-Key': apiKey },"),
        ("ts", "const res = await fetch(`${base}/v1/items?api_key=${apiKey}&limit=50`);"),
        ("py", 'API_TOKEN = os.environ.get("API_TOKEN")'),
        ("py", 'url = f"{BASE}/data?access_token={token}"'),
        ("py", 'headers = {"Authorization": f"Token {token}"}'),
        ("sh", 'export TOKEN="$(vault kv get -field=token secret/ci)"'),
        ("sh", 'curl -sf -H "Authorization: Token $API_TOKEN" https://ci.example.test/api/v2/builds'),
        ("sh", 'curl -s "https://api.example.test/v1/report?api_key=${API_KEY}"'),
        ("ps1", "$env:API_KEY = (Get-Secret -Name ApiKey -AsPlainText)"),
        ("ps1", "Invoke-RestMethod -Uri $uri -Headers @{ \"X-Api-Key\" = $apiKey }"),
        ("xml", "          <password>${DEPLOY_PASSWORD}</password>"),
        ("xml", "          <description>Deploy key for the release job</description>"),
        ("xml", "          <secret>{{ jenkins_webhook_secret }}</secret>"),
        ("properties", "app.api.key=${API_KEY}"),
        ("properties", "app.token.ttl=3600"),
        ("properties", "app.api.key-header=X-Api-Key"),
        ("ini", "[credentials]\nkey = %(CREDENTIALS_KEY)s"),
        ("toml", 'api_key = "${API_KEY}"'),
        ("toml", '[auth]\nkey_file = "/run/secrets/auth.key"'),
        ("tf", '  secret_key = var.aws_secret_key'),
        ("tf", '  token   = data.vault_generic_secret.ci.data["token"]'),
        ("log", "2025-06-16 09:00:05,871 [DEBUG] Using Key=<redacted>"),
        ("log", "2025-06-16 09:00:06,002 INFO  auth ok token=**** user=svc-billing"),
        ("log", '10.0.4.12 - - [16/Jun/2025:09:00:07 +0000] "GET /v1/items?api_key=[FILTERED] HTTP/1.1" 200 512'),
        ("log", "2025-06-16 09:00:08,113 DEBUG cache: using key=%s" % g.hex(40)),
        ("yaml", "credentials:\n  key: ${CREDENTIALS_KEY}"),
        ("yaml", "auth:\n  secret: \"{{ .Values.auth.secret }}\""),
        ("yaml", "        - name: PAYMENTS_API_TOKEN\n          valueFrom:\n            secretKeyRef: {name: payments, key: token}"),
        ("yaml", "cache:\n  key: %s" % g.hex(40)),
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
    "go": ["package billing", "", 'import "os"', "", "func New() *Service {", "\treturn &Service{}", "}"],
    "java": ["package com.example.billing;", "", "public class App {", "    public static void main(String[] args) {", "    }", "}"],
    "kt": ["package com.example.settings", "", "object Settings {", "    val region = \"eu-west-1\"", "}"],
    "cs": ["using System;", "", "namespace Billing", "{", "    public class Program", "    {", "    }", "}"],
    "swift": ["import Foundation", "", "enum Config {", "    static let region = \"eu-west-1\"", "}"],
    "rs": ["use std::env;", "", "pub fn region() -> &'static str {", "    \"eu-west-1\"", "}"],
    "php": ["<?php", "", "return [", "    'region' => 'eu-west-1',", "];"],
    "rb": ["require 'json'", "", "module Billing", "  REGION = 'eu-west-1'", "end"],
    "ts": ["import express from 'express';", "", "export function start(): void {", "  console.log('ready');", "}"],
    "sh": ["#!/usr/bin/env bash", "set -euo pipefail", 'echo "deploying $SERVICE"'],
    "ps1": ["Set-StrictMode -Version Latest", "$uri = 'https://api.example.test/v1/ping'", "Write-Host 'done'"],
    "xml": ["<?xml version='1.1' encoding='UTF-8'?>", "<com.cloudbees.plugins.credentials.SystemCredentialsProvider>", "  <domainCredentialsMap>", "  </domainCredentialsMap>", "</com.cloudbees.plugins.credentials.SystemCredentialsProvider>"],
    "properties": ["server.port=8080", "spring.application.name=billing", "logging.level.root=INFO"],
    "ini": ["[server]", "host = 0.0.0.0", "port = 8080", "", "[logging]", "level = info"],
    "toml": ['title = "billing"', "", "[server]", 'host = "0.0.0.0"', "port = 8080"],
    "log": ["2025-06-16 09:00:00,001 INFO  starting billing 1.4.2", "2025-06-16 09:00:00,120 INFO  listening on :8080"],
}
NAMES = {"env": ".env", "py": "settings.py", "js": "config.js", "yaml": "values.yaml", "html": "index.html",
         "json": "package-lock.json", "md": "README.md", "tf": "main.tf", "npmrc": ".npmrc",
         "docker": "config.json", "netrc": ".netrc", "go": "main.go", "java": "App.java", "kt": "Settings.kt",
         "cs": "Program.cs", "swift": "config.swift", "rs": "lib.rs", "php": "config.php", "rb": "app.rb",
         "ts": "index.ts", "sh": "deploy.sh", "ps1": "profile.ps1", "xml": "credentials.xml",
         "properties": "app.properties", "ini": "config.ini", "toml": "config.toml", "log": "app.log"}


def generate(root, files, seed):
    g = Gen(seed)
    truth = []
    for i in range(files):
        kind = list(NAMES)[i % len(NAMES)]
        # Elements are blocks of one or more lines; a planted block records which of its
        # lines carries the secret, and line numbers are counted once everything is placed.
        blocks = [[l, None] for l in FILLER[kind]]
        entries = [e for e in planted_lines(g) + code_planted(g) if e[0] == kind]
        planted = [[e[1], e[2] if len(e) > 2 else 0] for e in entries]
        planted = [[text, at if isinstance(at, tuple) else (at,)] for text, at in planted]
        decoys = [[l, None] for k, l in decoy_lines(g) + code_decoys(g) if k == kind]
        for b in planted + decoys:
            blocks.insert(g.r.randint(1, len(blocks)), b)  # never before line 1 of a JSON/docker skeleton
        if kind == "py" and g.r.random() < 0.5:
            blocks.append(["PRIVATE_KEY = '''" + g.pem() + "'''", (0,)])  # reported at its BEGIN line
        marks, line = [], 1
        for text, at in blocks:
            if at is not None:
                marks += [line + k for k in at]
            line += text.count("\n") + 1
        rel = os.path.join("svc%03d" % i, NAMES[kind])
        os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
        with open(os.path.join(root, rel), "w") as f:
            f.write("\n".join(b[0] for b in blocks) + "\n")
        truth += [{"path": rel, "line": m} for m in marks]
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
