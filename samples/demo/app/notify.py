import os
import requests

# TODO: move to the secret store before release
NPM_PUBLISH_TOKEN = "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"
SLACK_TOKEN = os.environ["SLACK_TOKEN"]


def notify(text):
    requests.post("https://hooks.example.test/notify", json={"text": text}, timeout=5)
