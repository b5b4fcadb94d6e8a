import { AwsClient } from "aws4fetch";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** RFC 3986 percent-encoding of one path segment or query part (encodeURIComponent leaves !'()* alone). */
function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

const sha256 = (data: Buffer) => crypto.createHash("sha256").update(data).digest("hex");

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

/**
 * One request to the bucket's S3 endpoint, signed (SigV4) by aws4fetch: a small,
 * dependency-free client that Cloudflare's own R2 documentation uses, on Node's fetch
 * and WebCrypto, rather than a signer of the kit's own.
 */
async function s3(
  o: ExportOptions,
  method: "GET" | "DELETE",
  key: string | undefined,
  query: [string, string][] = [],
): Promise<Buffer> {
  const client = new AwsClient({
    accessKeyId: o.accessKeyId,
    secretAccessKey: o.secretAccessKey,
    service: "s3",
    region: "auto",
  });
  const url = new URL(o.endpoint);
  const objectPath =
    `/${rfc3986(o.bucket)}` +
    (key === undefined ? "" : `/${key.split("/").map(rfc3986).join("/")}`);
  const search = query.map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join("&");
  const response = await client.fetch(`${url.origin}${objectPath}${search ? `?${search}` : ""}`, {
    method,
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
