// Batch driver for the Node differential test: signs every case with Mastercard's Node signer
// (`mastercard-oauth1-signer`).
//
// stdin:  {"key_pem": "<path>", "cases": [{"id", "method", "url", "body_b64", "consumer_key",
//          "nonce", "timestamp", "signature_method"}]}
// stdout: {"version": "...", "results": [{"id", "header", "base_string"}]}
//
// The nonce and the timestamp are fixed per case by replacing the library's two generators; the
// base string is the one the library hands to its own signing function (captured, not rebuilt).
"use strict";
const fs = require("fs");
const OAuth = require("mastercard-oauth1-signer");
const { version } = require("mastercard-oauth1-signer/package.json");

const METHODS = { "RSA-SHA256": OAuth.SignatureMethod.RSA_SHA256, "RSA-PSS": OAuth.SignatureMethod.RSA_PSS_SHA256 };

function main() {
  const batch = JSON.parse(fs.readFileSync(0, "utf8"));
  const key = fs.readFileSync(batch.key_pem, "utf8");
  const sign = OAuth.signSignatureBaseString;
  let captured = null;
  OAuth.signSignatureBaseString = function (sbs, ...rest) {
    captured = sbs;
    return sign.call(this, sbs, ...rest);
  };
  const results = batch.cases.map((c) => {
    OAuth.getNonce = () => c.nonce;
    OAuth.getTimestamp = () => c.timestamp;
    captured = null;
    const method = METHODS[c.signature_method];
    if (method === undefined) throw new Error(`unknown signature method ${c.signature_method}`);
    const body = Buffer.from(c.body_b64, "base64");
    const header = OAuth.getAuthorizationHeader(c.url, c.method, body, c.consumer_key, key, method);
    return { id: c.id, header, base_string: captured };
  });
  process.stdout.write(JSON.stringify({ version, results }));
}

main();
