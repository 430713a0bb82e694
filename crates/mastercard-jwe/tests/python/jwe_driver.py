"""Differential driver: Mastercard's Python client-encryption library on the other side.

Reads one JSON request on stdin and answers one JSON document on stdout, so that a single
interpreter start serves every case:

    {"cert": PEM path, "key": PEM path,
     "decrypt": [{"id", "mode": "whole"|"field", "body": encrypted JSON text}],
     "encrypt": [{"id", "mode", "body": plaintext JSON text}]}
 -> {"version": "...", "decrypted": {id: JSON text}, "encrypted": {id: JSON text}}

"whole" maps $ to {"encryptedData": ...}; "field" maps the top-level "card" to "encCard".
"""
import json
import sys

from client_encryption import jwe_encryption
from client_encryption.jwe_encryption_config import JweEncryptionConfig
from client_encryption.version import __version__

PATHS = {
    "whole": {"toEncrypt": {"$": "$"}, "toDecrypt": {"encryptedData": "$"}},
    "field": {"toEncrypt": {"card": "encCard"}, "toDecrypt": {"encCard": "card"}},
}


def config(request, mode):
    return JweEncryptionConfig({
        "paths": {"$": PATHS[mode]},
        "encryptedValueFieldName": "encryptedData",
        "encryptionCertificate": request["cert"],
        "decryptionKey": request["key"],
    })


def main():
    request = json.load(sys.stdin)
    configs = {mode: config(request, mode) for mode in PATHS}
    answer = {"version": __version__, "decrypted": {}, "encrypted": {}}
    for case in request["decrypt"]:
        result = jwe_encryption.decrypt_payload(case["body"], configs[case["mode"]])
        answer["decrypted"][case["id"]] = json.dumps(result, ensure_ascii=False)
    for case in request["encrypt"]:
        result = jwe_encryption.encrypt_payload(case["body"], configs[case["mode"]])
        answer["encrypted"][case["id"]] = json.dumps(result)
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
