import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import { bucketResource } from "./storageRules";

/** The R2 permission groups the bucket token gets: objects only, read and write. */
export const R2_OBJECT_PERMISSION_GROUPS = [
  "Workers R2 Storage Bucket Item Read",
  "Workers R2 Storage Bucket Item Write",
] as const;

/** Incomplete multipart uploads older than this are aborted. */
const ABORT_UPLOADS_AFTER_SECONDS = 7 * 24 * 3600;

/** Arguments of WorkerStorage. */
export interface WorkerStorageArgs {
  /** The Cloudflare account. */
  readonly accountId: string;
  /** The bucket's name. */
  readonly bucketName: string;
  /** Location hint (apac, eeur, enam, weur, wnam, oc), or undefined for automatic. */
  readonly location?: string;
  /** "default", "eu" or "fedramp". */
  readonly jurisdiction: string;
  /** Leave the bucket in the account when the stack is destroyed. */
  readonly retainOnDestroy: boolean;
}

/** The S3 endpoint of an account's buckets in a jurisdiction. */
export function r2Endpoint(accountId: string, jurisdiction: string): string {
  const region = jurisdiction === "default" ? "" : `${jurisdiction}.`;
  return `https://${accountId}.${region}r2.cloudflarestorage.com`;
}

/**
 * The agent's R2 bucket and the only credential that reaches it: an account token
 * scoped to this one bucket, objects read/write only, turned into S3 credentials
 * (key id = token id, secret = SHA-256 of the token value). Lifecycle aborts stale
 * multipart uploads and never expires objects: the live state lives in them.
 */
export class WorkerStorage extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  /** S3 access key id for the container's sync. */
  public readonly accessKeyId: pulumi.Output<string>;
  /** S3 secret access key (secret). */
  public readonly secretAccessKey: pulumi.Output<string>;

  constructor(name: string, args: WorkerStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkit:worker:WorkerStorage", name, args, opts);
    const jurisdiction = args.jurisdiction === "default" ? undefined : args.jurisdiction;
    const bucket = new cloudflare.R2Bucket(
      `${name}-bucket`,
      {
        accountId: args.accountId,
        name: args.bucketName,
        location: args.location,
        jurisdiction,
      },
      { parent: this, retainOnDelete: args.retainOnDestroy },
    );
    new cloudflare.R2BucketLifecycle(
      `${name}-lifecycle`,
      {
        accountId: args.accountId,
        bucketName: bucket.name,
        jurisdiction,
        rules: [
          {
            id: "abort-incomplete-multipart-uploads",
            enabled: true,
            conditions: { prefix: "" },
            abortMultipartUploadsTransition: {
              condition: { type: "Age", maxAge: ABORT_UPLOADS_AFTER_SECONDS },
            },
          },
        ],
      },
      { parent: this },
    );
    const groups = cloudflare
      .getAccountApiTokenPermissionGroupsListOutput(
        { accountId: args.accountId, scope: "com.cloudflare.edge.r2.bucket" },
        { parent: this },
      )
      .results.apply((results) =>
        R2_OBJECT_PERMISSION_GROUPS.map((groupName) => {
          const group = results.find((g) => g.name === groupName);
          if (!group)
            throw new pulumi.ResourceError(
              `WorkerStorage ${name}: Cloudflare lists no permission group "${groupName}" for args.accountId; check that the account id is right and has R2 enabled`,
              this,
            );
          return { id: group.id };
        }),
      );
    const token = new cloudflare.AccountToken(
      `${name}-token`,
      {
        accountId: args.accountId,
        name: pulumi.interpolate`clawkit ${bucket.name} objects`,
        policies: [
          {
            effect: "allow",
            permissionGroups: groups,
            resources: bucket.name.apply((bucketName) =>
              JSON.stringify({
                [bucketResource(args.accountId, args.jurisdiction, bucketName)]: "*",
              }),
            ),
          },
        ],
      },
      { parent: this, additionalSecretOutputs: ["value"] },
    );
    this.bucketName = bucket.name;
    this.accessKeyId = token.id;
    this.secretAccessKey = pulumi.secret(
      token.value.apply((value) => crypto.createHash("sha256").update(value).digest("hex")),
    );
    this.registerOutputs({ bucketName: this.bucketName, accessKeyId: this.accessKeyId });
  }
}
