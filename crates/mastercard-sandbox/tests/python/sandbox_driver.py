"""Differential driver: Mastercard's reference Python libraries as the sandbox's client.

stdin:  {"p12", "password", "consumer_key", "cert", "key",
         "sign": [{"id", "method", "url", "body_b64"}],
         "encrypt": [{"id", "body"}], "decrypt": [{"id", "body"}]}
stdout: {"headers": {id: Authorization}, "encrypted": {id: JSON text}, "decrypted": {id: JSON text}}

Signing uses the real clock and a random nonce (the sandbox checks both); the key comes from the
sandbox's PKCS#12 file through the library's own loader.
"""
import base64
import json
import sys

from client_encryption import jwe_encryption
from client_encryption.jwe_encryption_config import JweEncryptionConfig
from oauth1.authenticationutils import load_signing_key
from oauth1.oauth import OAuth


def main():
    request = json.load(sys.stdin)
    key = load_signing_key(request["p12"], request["password"])
    headers = {}
    for case in request["sign"]:
        body = base64.b64decode(case["body_b64"])
        headers[case["id"]] = OAuth.get_authorization_header(
            case["url"], case["method"], body if body else None, request["consumer_key"], key
        )
    config = JweEncryptionConfig({
        "paths": {"$": {"toEncrypt": {"$": "$"}, "toDecrypt": {"encryptedData": "$"}}},
        "encryptedValueFieldName": "encryptedData",
        "encryptionCertificate": request["cert"],
        "decryptionKey": request["key"],
    })
    encrypted = {
        case["id"]: json.dumps(jwe_encryption.encrypt_payload(case["body"], config))
        for case in request["encrypt"]
    }
    decrypted = {
        case["id"]: json.dumps(jwe_encryption.decrypt_payload(case["body"], config))
        for case in request["decrypt"]
    }
    json.dump({"headers": headers, "encrypted": encrypted, "decrypted": decrypted}, sys.stdout)


if __name__ == "__main__":
    main()
