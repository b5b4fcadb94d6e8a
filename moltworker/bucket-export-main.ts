import { exportAndEmpty } from "./bucket-export";

/**
 * `pulumi destroy` with clawkit:bucketOnDestroy export (run by moltworker/deploy.sh):
 * the bucket's S3 credentials arrive as JSON on stdin, everything else in the
 * environment. Exits non-zero, having deleted nothing, unless the export is complete.
 */
async function main(): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const credentials = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
    accessKeyId: string;
    secretAccessKey: string;
  };
  const need = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  await exportAndEmpty({
    endpoint: need("CLAWKIT_R2_ENDPOINT"),
    bucket: need("CLAWKIT_BUCKET"),
    exportRoot: need("CLAWKIT_EXPORT_DIR"),
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    log: (line) => process.stderr.write(`clawkit-export: ${line}\n`),
  });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`clawkit-export: error: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
