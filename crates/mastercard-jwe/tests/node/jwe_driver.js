// Differential driver: Mastercard's Node client-encryption library (`mastercard-client-encryption`)
// on the other side. One JSON request on stdin, one JSON answer on stdout:
//
//   {"cert": PEM path, "key": PEM path,
//    "decrypt": [{"id", "mode": "whole"|"field", "body": encrypted JSON text}],
//    "encrypt": [{"id", "mode", "body": plaintext JSON text}]}
//   -> {"version", "decrypted": {id: JSON text}, "encrypted": {id: JSON text},
//       "plaintext": {id: the text Node encrypted}}
//
// "whole" maps $ to {"encryptedData": ...}; "field" maps the top-level "card" to "encCard".
// The library picks its configuration by matching the request URL against each `path` regex, so
// each mode is one fake endpoint.
"use strict";
const fs = require("fs");
const { JweEncryption, EncryptionUtils } = require("mastercard-client-encryption");
const { version } = require("mastercard-client-encryption/package.json");

const ENDPOINTS = { whole: "/whole", field: "/field" };

function main() {
  const request = JSON.parse(fs.readFileSync(0, "utf8"));
  const jwe = new JweEncryption({
    mode: "JWE",
    paths: [
      { path: "^/whole$", toEncrypt: [{ element: "$", obj: "$" }], toDecrypt: [{ element: "encryptedData", obj: "$" }] },
      { path: "^/field$", toEncrypt: [{ element: "card", obj: "encCard" }], toDecrypt: [{ element: "encCard", obj: "card" }] },
    ],
    encryptedValueFieldName: "encryptedData",
    encryptionCertificate: request.cert,
    privateKey: request.key,
  });
  const answer = { version, decrypted: {}, encrypted: {}, plaintext: {} };
  for (const c of request.decrypt) {
    const body = jwe.decrypt({ body: JSON.parse(c.body), request: { url: ENDPOINTS[c.mode] } });
    answer.decrypted[c.id] = JSON.stringify(body);
  }
  for (const c of request.encrypt) {
    const body = JSON.parse(c.body);
    // What the library will encrypt, by its own serialiser.
    answer.plaintext[c.id] = EncryptionUtils.jsonToString(c.mode === "whole" ? body : body.card);
    answer.encrypted[c.id] = JSON.stringify(jwe.encrypt(ENDPOINTS[c.mode], {}, body).body);
  }
  process.stdout.write(JSON.stringify(answer));
}

main();
