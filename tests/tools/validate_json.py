#!/usr/bin/env python3
"""Validates JSON (or JSONL, one document a line) against a JSON Schema; for the test suite.

usage: validate_json.py SCHEMA FILE [--jsonl]
Exit 0 valid, 1 invalid (the first errors on stderr), 3 jsonschema is not installed.
Schemas next to SCHEMA are resolved by their file name ($ref: "finding.schema.json").
"""
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed (scripts/deps.sh --test)", file=sys.stderr)
    sys.exit(3)


def main():
    schema_path, data_path = sys.argv[1], sys.argv[2]
    jsonl = "--jsonl" in sys.argv[3:]
    base = os.path.dirname(os.path.abspath(schema_path))
    store = {}
    for name in os.listdir(base):
        if name.endswith(".json"):
            with open(os.path.join(base, name)) as f:
                doc = json.load(f)
            store[name] = doc
            if "$id" in doc:
                store[doc["$id"]] = doc
    schema = store[os.path.basename(schema_path)]
    cls = jsonschema.validators.validator_for(schema)
    try:  # jsonschema >= 4.18 resolves through referencing; older ones through RefResolver
        from referencing import Registry, Resource
        registry = Registry().with_resources((uri, Resource.from_contents(doc)) for uri, doc in store.items())
        validator = cls(schema, registry=registry)
    except ImportError:
        resolver = jsonschema.RefResolver(base_uri="file://" + base + "/", referrer=schema, store=store)
        validator = cls(schema, resolver=resolver)
    with open(data_path) as f:
        docs = [json.loads(l) for l in f if l.strip()] if jsonl else [json.load(f)]
    bad = 0
    for i, d in enumerate(docs):
        for e in validator.iter_errors(d):
            bad += 1
            if bad <= 10:
                print(f"document {i + 1}: {'/'.join(map(str, e.absolute_path))}: {e.message}", file=sys.stderr)
    sys.exit(1 if bad else 0)


main()
