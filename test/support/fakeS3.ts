import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as path from "path";
import { verifySigV4 } from "./sigv4";

/** What a FakeBucket is built with. */
export interface FakeBucketOptions {
  /** Keys a listing page holds at most (S3's own limit is 1000). */
  readonly pageSize?: number;
  /** Keep the objects in this directory too (one file a key, read from there): another server can serve them later, and a test can change one. */
  readonly directory?: string;
  /** Append each request (method, path, status) to this file as a JSON line. */
  readonly log?: string;
  /** Serve HTTPS with this certificate, as a real endpoint does. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

const xmlEscape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const etagOf = (body: Buffer) => `"${crypto.createHash("md5").update(body).digest("hex")}"`;

/**
 * A stand-in for an S3-compatible bucket (R2, Hetzner Object Storage) with path-style
 * addressing: objects in memory (and in a directory when asked), listings a page at a
 * time, ranged reads, and every request's SigV4 signature and payload hash checked
 * against the bucket's credentials. What S3 clients the kit drives (aws4fetch on the
 * operator's side, restic on the server) need, no more.
 */
export class FakeBucket {
  readonly objects = new Map<string, Buffer>();
  readonly server: http.Server;
  rejected = 0;
  /** Called after each DELETE: lets a test make the container write meanwhile. */
  afterDelete: () => void = () => undefined;
  private readonly pageSize: number;

  constructor(
    private readonly bucket: string,
    private readonly credentials: { accessKeyId: string; secretAccessKey: string },
    private readonly options: FakeBucketOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 1000;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const status = this.handle(req, Buffer.concat(chunks), res);
        if (options.log)
          fs.appendFileSync(
            options.log,
            JSON.stringify({ method: req.method, url: req.url, status }) + "\n",
          );
      });
    };
    this.server = options.tls
      ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler)
      : http.createServer(handler);
    if (options.directory) {
      fs.mkdirSync(options.directory, { recursive: true });
      for (const name of fs.readdirSync(options.directory))
        this.objects.set(
          decodeURIComponent(name),
          fs.readFileSync(path.join(options.directory, name)),
        );
    }
  }

  /** Where a key's copy lives in the directory. */
  fileOf(key: string): string {
    return path.join(this.options.directory!, encodeURIComponent(key));
  }

  private put(key: string, body: Buffer): void {
    this.objects.set(key, body);
    if (this.options.directory) fs.writeFileSync(this.fileOf(key), body);
  }

  /** An object's bytes: in a directory, as they are on disk now (a test may change them). */
  private read(key: string): Buffer | undefined {
    if (!this.objects.has(key)) return undefined;
    return this.options.directory ? fs.readFileSync(this.fileOf(key)) : this.objects.get(key);
  }

  private remove(key: string): void {
    this.objects.delete(key);
    if (this.options.directory) fs.rmSync(this.fileOf(key), { force: true });
  }

  private handle(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): number {
    const reply = (
      status: number,
      headers: http.OutgoingHttpHeaders = {},
      content?: Buffer | string,
    ) => {
      res.writeHead(status, headers).end(req.method === "HEAD" ? undefined : content);
      return status;
    };
    const error = (status: number, code: string) =>
      reply(status, { "content-type": "application/xml" }, `<Error><Code>${code}</Code></Error>`);
    if (!verifySigV4(req, this.credentials)) {
      this.rejected++;
      return error(403, "SignatureDoesNotMatch");
    }
    const payloadHash = String(req.headers["x-amz-content-sha256"] ?? "");
    if (
      payloadHash !== "UNSIGNED-PAYLOAD" &&
      payloadHash !== crypto.createHash("sha256").update(body).digest("hex")
    ) {
      this.rejected++;
      return error(400, "XAmzContentSHA256Mismatch");
    }
    const url = new URL(req.url!, "http://bucket");
    const [rawPath] = req.url!.split("?");
    const bucketPath = `/${this.bucket}`;
    if (rawPath === bucketPath || rawPath === `${bucketPath}/`) {
      if (req.method === "GET" && url.searchParams.has("location"))
        return reply(
          200,
          { "content-type": "application/xml" },
          `<?xml version="1.0"?><LocationConstraint>auto</LocationConstraint>`,
        );
      if (req.method === "GET" && url.searchParams.get("list-type") === "2")
        return reply(200, { "content-type": "application/xml" }, this.list(url.searchParams));
      if (req.method === "HEAD" || req.method === "PUT") return reply(200);
      return error(400, "NotImplemented");
    }
    if (!rawPath.startsWith(`${bucketPath}/`)) return error(404, "NoSuchBucket");
    const key = decodeURIComponent(rawPath.slice(bucketPath.length + 1));
    if (req.method === "PUT") {
      this.put(key, body);
      return reply(200, { etag: etagOf(body) });
    }
    if (req.method === "DELETE") {
      this.remove(key);
      const status = reply(204);
      this.afterDelete();
      return status;
    }
    const object = this.read(key);
    if (object === undefined) return error(404, "NoSuchKey");
    const headers = {
      etag: etagOf(object),
      "last-modified": new Date(0).toUTCString(),
      "content-type": "application/octet-stream",
      "accept-ranges": "bytes",
    };
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ""));
    if (range) {
      const start = Number(range[1]);
      const end =
        range[2] === "" ? object.length - 1 : Math.min(Number(range[2]), object.length - 1);
      if (start > end) return error(416, "InvalidRange");
      const part = object.subarray(start, end + 1);
      return reply(
        206,
        {
          ...headers,
          "content-length": part.length,
          "content-range": `bytes ${start}-${end}/${object.length}`,
        },
        part,
      );
    }
    return reply(200, { ...headers, "content-length": object.length }, object);
  }

  /** ListObjectsV2: prefix, delimiter, max-keys, start-after and a continuation token. */
  private list(query: URLSearchParams): string {
    const prefix = query.get("prefix") ?? "";
    const delimiter = query.get("delimiter") ?? "";
    const after = query.get("continuation-token") ?? query.get("start-after") ?? "";
    const maxKeys = Math.min(Number(query.get("max-keys") ?? this.pageSize), this.pageSize);
    const entries: { key: string; common: boolean }[] = [];
    const seen = new Set<string>();
    for (const key of [...this.objects.keys()].sort()) {
      if (!key.startsWith(prefix)) continue;
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      const entry = cut >= 0 ? key.slice(0, cut + delimiter.length) : key;
      if (entry <= after || seen.has(entry)) continue;
      seen.add(entry);
      entries.push({ key: entry, common: cut >= 0 });
    }
    const page = entries.slice(0, maxKeys);
    const more = entries.length > page.length;
    return (
      `<?xml version="1.0"?><ListBucketResult><Name>${this.bucket}</Name>` +
      `<Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>` +
      page
        .map((e) =>
          e.common
            ? `<CommonPrefixes><Prefix>${xmlEscape(e.key)}</Prefix></CommonPrefixes>`
            : `<Contents><Key>${xmlEscape(e.key)}</Key><Size>${this.objects.get(e.key)!.length}</Size>` +
              `<LastModified>${new Date(0).toISOString()}</LastModified><ETag>${xmlEscape(etagOf(this.objects.get(e.key)!))}</ETag></Contents>`,
        )
        .join("") +
      `<IsTruncated>${more}</IsTruncated>` +
      (more
        ? `<NextContinuationToken>${xmlEscape(page[page.length - 1].key)}</NextContinuationToken>`
        : "") +
      `</ListBucketResult>`
    );
  }
}

/**
 * Run as a program (the system tests start it in the upstream namespace): FAKE_S3_BUCKET,
 * FAKE_S3_CREDENTIALS (a JSON file: accessKeyId, secretAccessKey), FAKE_S3_DIR,
 * FAKE_TLS_CERT, FAKE_TLS_KEY, FAKE_HOST, FAKE_PORT, FAKE_LOG, FAKE_READY (written once listening).
 */
if (require.main === module) {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`fakeS3: ${name} is not set`);
    return value;
  };
  const bucket = new FakeBucket(
    env("FAKE_S3_BUCKET"),
    JSON.parse(fs.readFileSync(env("FAKE_S3_CREDENTIALS"), "utf8")),
    {
      directory: env("FAKE_S3_DIR"),
      log: process.env.FAKE_LOG,
      tls: {
        cert: fs.readFileSync(env("FAKE_TLS_CERT"), "utf8"),
        key: fs.readFileSync(env("FAKE_TLS_KEY"), "utf8"),
      },
    },
  );
  bucket.server.listen(Number(env("FAKE_PORT")), env("FAKE_HOST"), () => {
    if (process.env.FAKE_READY) fs.writeFileSync(process.env.FAKE_READY, "ready\n");
  });
}
