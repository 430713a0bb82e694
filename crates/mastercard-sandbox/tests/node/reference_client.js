// A sandbox client built only from Mastercard's reference Node libraries and Node's `https`.
//
// Mastercom: each call goes over HTTPS (the sandbox CA trusted), signed by
// `mastercard-oauth1-signer` with the key taken out of the PKCS#12 file by node-forge, as the
// signer's README shows; query parameters are written by `URLSearchParams` (a space becomes `+`,
// as Python's `urlencode` writes it). Identity Insights: the body is encrypted by
// `mastercard-client-encryption` (JWE), sent over mutual TLS, and the answer decrypted by it.
//
// stdin and stdout: as tests/python/reference_client.py.
"use strict";
const fs = require("fs");
const https = require("https");
const forge = require("node-forge");
const OAuth = require("mastercard-oauth1-signer");
const { JweEncryption } = require("mastercard-client-encryption");

function signingKey(p12Path, password) {
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(fs.readFileSync(p12Path, "binary")), false, password);
  const bags = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag];
  return forge.pki.privateKeyToPem(bags[0].key);
}

function send(url, options, body) {
  return new Promise((resolve) => {
    const request = https.request(url, options, (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode, url: url.toString(), body: Buffer.concat(chunks).toString("utf8") }));
    });
    request.on("error", (error) => resolve({ status: "tls-error", url: url.toString(), body: String(error) }));
    if (body !== null) request.write(body);
    request.end();
  });
}

function flipCiphertext(envelope) {
  const parts = envelope.encryptedData.split(".");
  parts[3] = (parts[3][0] === "A" ? "B" : "A") + parts[3].slice(1);
  return { encryptedData: parts.join(".") };
}

async function main() {
  const request = JSON.parse(fs.readFileSync(0, "utf8"));
  const ca = fs.readFileSync(request.ca);
  const key = signingKey(request.signing_p12, request.password);
  const answer = {};
  for (const call of request.mastercom) {
    const url = new URL(call.url);
    for (const [name, value] of call.params || []) url.searchParams.append(name, value);
    let body = call.body === null ? null : Buffer.from(call.body, "utf8");
    const authorization = OAuth.getAuthorizationHeader(url.toString(), call.method, body, request.consumer_key, key);
    if (call.tamper) {
      body = Buffer.from(body);
      body[5] ^= 0x20;
    }
    const headers = { Authorization: authorization, "Content-Type": "application/json" };
    if (body !== null) headers["Content-Length"] = body.length;
    // agent: false: one connection per call, so nothing keeps the process alive afterwards.
    answer[call.id] = await send(url, { method: call.method, headers, ca, agent: false }, body);
  }

  const jwe = new JweEncryption({
    mode: "JWE",
    paths: [{ path: "/transactions$", toEncrypt: [{ element: "$", obj: "$" }], toDecrypt: [{ element: "encryptedData", obj: "$" }] }],
    encryptedValueFieldName: "encryptedData",
    encryptionCertificate: request.jwe_server_cert,
    privateKey: request.jwe_client_key,
  });
  for (const call of request.iit) {
    let encrypted = jwe.encrypt(call.url, {}, JSON.parse(call.body)).body;
    if (call.tamper) encrypted = flipCiphertext(encrypted);
    const body = Buffer.from(JSON.stringify(encrypted), "utf8");
    const options = {
      method: "POST",
      ca,
      agent: false,
      headers: { "Content-Type": "application/json", "Content-Length": body.length },
    };
    if (call.client_cert) {
      options.cert = fs.readFileSync(request.client_cert);
      options.key = fs.readFileSync(request.client_key);
    }
    const result = await send(new URL(call.url), options, body);
    if (result.status === 200) {
      const decrypted = jwe.decrypt({ body: JSON.parse(result.body), request: { url: call.url } });
      result.decrypted = JSON.stringify(decrypted);
    }
    answer[call.id] = result;
  }
  process.stdout.write(JSON.stringify(answer));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
