"""Batch driver for the differential test: signs every case with Mastercard's Python signer.

stdin:  {"key_pem": "<path>", "cases": [{"id", "method", "url", "body_b64", "consumer_key",
         "nonce", "timestamp", "signature_method"}]}
stdout: [{"id", "header", "base_string"}]

The nonce and the timestamp are fixed per case by replacing the library's two generators.
"""
import base64
import json
import sys

from cryptography.hazmat.primitives.serialization import load_pem_private_key

import oauth1.coreutils as coreutils
from oauth1.oauth import OAuth, SignatureMethod


def sign(case, key):
    coreutils.get_nonce = lambda length=16: case["nonce"]
    coreutils.get_timestamp = lambda: case["timestamp"]
    method = SignatureMethod(case["signature_method"])
    body = base64.b64decode(case["body_b64"])
    params = OAuth.get_oauth_parameters(
        case["url"], case["method"], body, case["consumer_key"], key, signature_method=method
    )
    fields = dict(params.get_base_parameters_dict())
    header = "OAuth " + ",".join('{}="{}"'.format(k, v) for k, v in fields.items())
    del fields["oauth_signature"]
    base_string = OAuth.get_base_string(case["url"], case["method"], fields)
    return {"id": case["id"], "header": header, "base_string": base_string}


def main():
    batch = json.load(sys.stdin)
    with open(batch["key_pem"], "rb") as handle:
        key = load_pem_private_key(handle.read(), password=None)
    json.dump([sign(case, key) for case in batch["cases"]], sys.stdout)


if __name__ == "__main__":
    main()
