"""A sandbox client built only from Mastercard's reference Python libraries and `requests`.

Mastercom: `requests` sends each call over HTTPS (the sandbox CA trusted), signed by
`oauth1.signer.OAuthSigner` through a `requests` auth hook, with query parameters given to
`requests` as `params=` (so a space is written `+`, as `urlencode` does). Identity Insights: the
body is encrypted by `client_encryption.jwe_encryption`, sent over mutual TLS, and the encrypted
answer decrypted by the same library.

stdin:  {"ca", "client_cert", "client_key", "signing_p12", "password", "consumer_key",
         "jwe_server_cert", "jwe_client_key",
         "mastercom": [{"id", "method", "url", "params": [[k, v]] | null, "body": text | null,
                        "tamper": bool}],
         "iit": [{"id", "url", "body": text, "tamper": bool, "client_cert": bool}]}
stdout: {id: {"status": int | "tls-error", "url": URL as sent, "body": text, "decrypted": text}}

`tamper` alters the request after it is signed / encrypted: one body byte for Mastercom, one
character of the JWE ciphertext for IIT.
"""
import json
import sys

import requests
from client_encryption import jwe_encryption
from client_encryption.jwe_encryption_config import JweEncryptionConfig
from oauth1.authenticationutils import load_signing_key
from oauth1.signer import OAuthSigner


class MastercardAuth(requests.auth.AuthBase):
    """Signs the prepared request (URL and body exactly as they will be sent)."""

    def __init__(self, signer, tamper):
        self.signer = signer
        self.tamper = tamper

    def __call__(self, prepared):
        self.signer.sign_request(prepared.url, prepared)
        if self.tamper:
            body = bytearray(prepared.body)
            body[5] ^= 0x20
            prepared.body = bytes(body)
        return prepared


def flip_ciphertext(envelope_text):
    envelope = json.loads(envelope_text)
    parts = envelope["encryptedData"].split(".")
    parts[3] = ("B" if parts[3][0] == "A" else "A") + parts[3][1:]
    envelope["encryptedData"] = ".".join(parts)
    return json.dumps(envelope)


def main():
    request = json.load(sys.stdin)
    signer = OAuthSigner(
        request["consumer_key"], load_signing_key(request["signing_p12"], request["password"])
    )
    answer = {}
    with requests.Session() as session:
        for call in request["mastercom"]:
            body = call["body"].encode() if call["body"] is not None else None
            reply = session.request(
                call["method"], call["url"], params=call["params"], data=body,
                headers={"Content-Type": "application/json"},
                auth=MastercardAuth(signer, call["tamper"]),
                # Per request: a session-level `verify` loses to $REQUESTS_CA_BUNDLE.
                verify=request["ca"],
            )
            answer[call["id"]] = {"status": reply.status_code, "url": reply.request.url,
                                  "body": reply.text}

    config = JweEncryptionConfig({
        "paths": {"$": {"toEncrypt": {"$": "$"}, "toDecrypt": {"encryptedData": "$"}}},
        "encryptedValueFieldName": "encryptedData",
        "encryptionCertificate": request["jwe_server_cert"],
        "decryptionKey": request["jwe_client_key"],
    })
    for call in request["iit"]:
        body = json.dumps(jwe_encryption.encrypt_payload(call["body"], config))
        if call["tamper"]:
            body = flip_ciphertext(body)
        cert = (request["client_cert"], request["client_key"]) if call["client_cert"] else None
        try:
            reply = requests.post(call["url"], data=body, verify=request["ca"], cert=cert,
                                  headers={"Content-Type": "application/json"})
        except requests.exceptions.RequestException as error:
            answer[call["id"]] = {"status": "tls-error", "url": call["url"], "body": str(error)}
            continue
        result = {"status": reply.status_code, "url": reply.request.url, "body": reply.text}
        if reply.status_code == 200:
            result["decrypted"] = json.dumps(jwe_encryption.decrypt_payload(reply.text, config))
        answer[call["id"]] = result
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
