import * as http from "http";
import { verifySigV4 } from "./sigv4";

/**
 * A stand-in for R2's S3 API on loopback: objects in memory, two keys per listing
 * page, and every request's signature checked against the bucket's credentials.
 */
export class FakeBucket {
  readonly objects = new Map<string, Buffer>();
  readonly server: http.Server;
  rejected = 0;
  /** Called after each DELETE: lets a test make the container write meanwhile. */
  afterDelete: () => void = () => undefined;

  constructor(
    private readonly bucket: string,
    private readonly credentials: { accessKeyId: string; secretAccessKey: string },
  ) {
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url!, `http://${req.headers.host}`);
    const rawPath = req.url!.split("?")[0];
    if (!verifySigV4(req, this.credentials)) {
      this.rejected++;
      res.writeHead(403).end("<Error><Code>SignatureDoesNotMatch</Code></Error>");
      return;
    }
    const prefix = `/${this.bucket}`;
    if (req.method === "GET" && rawPath === prefix && url.searchParams.get("list-type") === "2") {
      const keys = [...this.objects.keys()].sort();
      const start = Number(url.searchParams.get("continuation-token") ?? "0");
      const page = keys.slice(start, start + 2);
      const more = start + 2 < keys.length;
      const escape = (k: string) => k.replace(/&/g, "&amp;").replace(/</g, "&lt;");
      res
        .writeHead(200, { "content-type": "application/xml" })
        .end(
          `<?xml version="1.0"?><ListBucketResult><Name>${this.bucket}</Name>` +
            page.map((k) => `<Contents><Key>${escape(k)}</Key><Size>1</Size></Contents>`).join("") +
            `<IsTruncated>${more}</IsTruncated>` +
            (more ? `<NextContinuationToken>${start + 2}</NextContinuationToken>` : "") +
            `</ListBucketResult>`,
        );
      return;
    }
    const key = decodeURIComponent(rawPath.slice(prefix.length + 1));
    if (req.method === "GET" && this.objects.has(key)) {
      res.writeHead(200).end(this.objects.get(key));
    } else if (req.method === "DELETE") {
      this.objects.delete(key);
      res.writeHead(204).end();
      this.afterDelete();
    } else {
      res.writeHead(404).end("<Error><Code>NoSuchKey</Code></Error>");
    }
  }
}
