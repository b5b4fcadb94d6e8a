import * as crypto from "crypto";
import * as http from "http";

// A reference AWS Signature Version 4, checked against AWS's published examples
// (test/artifacts/bucket-export.test.ts): the fake R2 verifies every request the kit's
// S3 client (aws4fetch) signs with it, so the test does not trust the code it tests.

/** What one S3 request is signed over (AWS Signature Version 4). */
export interface SignInput {
  readonly method: string;
  readonly host: string;
  /** The path as sent, already percent-encoded. */
  readonly path: string;
  readonly query: readonly (readonly [string, string])[];
  /** Headers to sign besides host (lower-case names). */
  readonly headers: Readonly<Record<string, string>>;
  /** Hex SHA-256 of the body. */
  readonly payloadHash: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  readonly service: string;
  /** `YYYYMMDDTHHMMSSZ`. */
  readonly amzDate: string;
}

/** RFC 3986 percent-encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

const sha256 = (data: string) => crypto.createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) =>
  crypto.createHmac("sha256", key).update(data).digest();

/** The Authorization header for a request (AWS Signature Version 4). */
export function signV4(input: SignInput): string {
  const headers: Record<string, string> = { host: input.host, ...input.headers };
  const names = Object.keys(headers).sort();
  const canonicalQuery = [...input.query]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)])
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonicalRequest = [
    input.method,
    input.path,
    canonicalQuery,
    ...names.map((n) => `${n}:${headers[n].trim()}`),
    "",
    names.join(";"),
    input.payloadHash,
  ].join("\n");
  const date = input.amzDate.slice(0, 8);
  const scope = `${date}/${input.region}/${input.service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", input.amzDate, scope, sha256(canonicalRequest)].join("\n");
  const key = hmac(
    hmac(hmac(hmac(`AWS4${input.secretAccessKey}`, date), input.region), input.service),
    "aws4_request",
  );
  const signature = crypto.createHmac("sha256", key).update(toSign).digest("hex");
  return `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`;
}

/**
 * True when a request carries a valid SigV4 Authorization for these credentials and an
 * S3 service in any region: whatever headers it chose to sign, the path canonicalized
 * the way S3 does (each segment decoded, then RFC 3986 encoded once).
 */
export function verifySigV4(
  req: http.IncomingMessage,
  credentials: { accessKeyId: string; secretAccessKey: string },
): boolean {
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$/.exec(
      req.headers.authorization ?? "",
    );
  if (!m || m[1] !== credentials.accessKeyId) return false;
  const [, , date, region, signedHeaders] = m;
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  if (amzDate.slice(0, 8) !== date) return false;
  const [rawPath, rawQuery = ""] = (req.url ?? "/").split("?");
  const headers: Record<string, string> = {};
  for (const name of signedHeaders.split(";")) {
    if (name === "host") continue;
    const value = req.headers[name];
    if (value === undefined) return false;
    headers[name] = String(value).replace(/\s+/g, " ");
  }
  const expected = signV4({
    method: req.method ?? "GET",
    host: String(req.headers.host),
    path: rawPath
      .split("/")
      .map((segment) => rfc3986(decodeURIComponent(segment)))
      .join("/"),
    query: [...new URLSearchParams(rawQuery).entries()],
    headers,
    payloadHash: String(req.headers["x-amz-content-sha256"]),
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    region,
    service: "s3",
    amzDate,
  });
  return expected === req.headers.authorization;
}
