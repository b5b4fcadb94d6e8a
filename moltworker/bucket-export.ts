import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

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

const sha256 = (data: string | Buffer) => crypto.createHash("sha256").update(data).digest("hex");
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

/** Where the export goes and what it reads. */
export interface ExportOptions {
  /** The S3 endpoint, `https://<account>.r2.cloudflarestorage.com`. */
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The directory a new `<bucket>-<time>` export directory is made in. */
  readonly exportRoot: string;
  /** Progress and errors. */
  readonly log: (line: string) => void;
}

const EMPTY_HASH = sha256("");

/** One signed request to the bucket's S3 endpoint. */
async function s3(
  o: ExportOptions,
  method: "GET" | "DELETE",
  key: string | undefined,
  query: [string, string][] = [],
): Promise<Buffer> {
  const url = new URL(o.endpoint);
  const objectPath =
    `/${rfc3986(o.bucket)}` +
    (key === undefined ? "" : `/${key.split("/").map(rfc3986).join("/")}`);
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const headers = { "x-amz-content-sha256": EMPTY_HASH, "x-amz-date": amzDate };
  const authorization = signV4({
    method,
    host: url.host,
    path: objectPath,
    query,
    headers,
    payloadHash: EMPTY_HASH,
    accessKeyId: o.accessKeyId,
    secretAccessKey: o.secretAccessKey,
    region: "auto",
    service: "s3",
    amzDate,
  });
  const search = query.map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join("&");
  const response = await fetch(`${url.origin}${objectPath}${search ? `?${search}` : ""}`, {
    method,
    headers: { ...headers, authorization },
  });
  const body = Buffer.from(await response.arrayBuffer());
  if (!response.ok) {
    throw new Error(
      `${method} ${key ?? "(list)"}: HTTP ${response.status} ${body.toString("utf8", 0, 200)}`,
    );
  }
  return body;
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

/** Every key in the bucket (ListObjectsV2, following continuation tokens). */
async function listKeys(o: ExportOptions): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const query: [string, string][] = [["list-type", "2"]];
    if (token) query.push(["continuation-token", token]);
    const xml = (await s3(o, "GET", undefined, query)).toString("utf8");
    for (const m of xml.matchAll(/<Contents>[\s\S]*?<Key>([\s\S]*?)<\/Key>[\s\S]*?<\/Contents>/g))
      keys.push(unescapeXml(m[1]));
    token = /<IsTruncated>true<\/IsTruncated>/.test(xml)
      ? unescapeXml(
          /<NextContinuationToken>([\s\S]*?)<\/NextContinuationToken>/.exec(xml)?.[1] ?? "",
        )
      : undefined;
  } while (token);
  return keys;
}

/** The file a key is exported to, or an error when the key cannot be a relative path. */
function fileFor(dir: string, key: string): string {
  const segments = key.split("/");
  // Control characters and backslashes would also garble the sha256sum manifest.
  if (segments.some((s) => s === "" || s === "." || s === "..") || /[\x00-\x1f\\]/.test(key)) {
    throw new Error(`the object key "${key}" cannot be written as a file; nothing was deleted`);
  }
  return path.join(dir, ...segments);
}

/**
 * Downloads every object of the bucket into a new private directory with a SHA-256
 * manifest, checks every file against it, and only then deletes the objects.
 * Returns the export directory. Throws, having deleted nothing, when any step before
 * the deletion fails.
 */
export async function exportAndEmpty(o: ExportOptions): Promise<string> {
  const keys = await listKeys(o);
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  fs.mkdirSync(o.exportRoot, { recursive: true, mode: 0o700 });
  const dir = path.join(o.exportRoot, `${o.bucket}-${stamp}`);
  fs.mkdirSync(dir, { mode: 0o700 });
  const manifest: string[] = [];
  for (const key of keys) {
    const file = fileFor(dir, key);
    const body = await s3(o, "GET", key);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, body, { mode: 0o600 });
    manifest.push(`${sha256(body)}  ${key}`);
  }
  fs.writeFileSync(path.join(dir, "MANIFEST.sha256"), manifest.join("\n") + "\n", { mode: 0o600 });
  // Read back what was written before anything is deleted.
  for (const line of manifest) {
    const [hash, key] = [line.slice(0, 64), line.slice(66)];
    if (sha256(fs.readFileSync(fileFor(dir, key))) !== hash) {
      throw new Error(`the exported copy of "${key}" does not match; nothing was deleted`);
    }
  }
  o.log(`exported ${keys.length} objects to ${dir} (checked against MANIFEST.sha256)`);
  for (const key of keys) await s3(o, "DELETE", key);
  const left = await listKeys(o);
  if (left.length > 0) {
    throw new Error(
      `${left.length} objects appeared in the bucket during the export (is the worker still running?); run pulumi destroy again`,
    );
  }
  o.log(`emptied the bucket ${o.bucket}`);
  return dir;
}
