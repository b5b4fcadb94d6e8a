import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { deployCommand } from "./workerDeploy";

/** The kit's own directory: exports land in its `exports/` (ignored by git). */
const KIT_DIR = path.resolve(__dirname, "..");

import { BucketOnDestroy } from "./args";

/** Arguments of BucketGuard. */
export interface BucketGuardArgs {
  /** The bucket that holds the agent's state. */
  readonly bucketName: pulumi.Input<string>;
  /** What `pulumi destroy` does with it. */
  readonly onDestroy: BucketOnDestroy;
  /** The bucket's S3 endpoint. */
  readonly endpoint: string;
  /** The bucket's S3 credentials (secret), for an export. */
  readonly credentials: {
    readonly accessKeyId: pulumi.Input<string>;
    readonly secretAccessKey: pulumi.Input<string>;
  };
}

/**
 * A command with nothing to do until `pulumi destroy`. Everything that uses the
 * bucket depends on it, and it on the bucket, so it runs after the worker is gone
 * and before the bucket and its token are touched: it stops the destroy ("refuse"),
 * lets it go on ("keep"; the bucket is retained), or downloads every object to
 * `exports/` and empties the bucket ("export"). Its delete step reads the setting
 * from its last `pulumi up`, so changing the setting takes an `up` first.
 */
export class BucketGuard extends pulumi.ComponentResource {
  constructor(name: string, args: BucketGuardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkit:worker:BucketGuard", name, args, opts);
    new command.local.Command(
      `${name}-on-destroy`,
      {
        delete: deployCommand("bucket-on-destroy"),
        environment: {
          CLAWKIT_BUCKET: args.bucketName,
          CLAWKIT_BUCKET_ON_DESTROY: args.onDestroy,
          CLAWKIT_WORKER_NAME: "-",
          CLAWKIT_R2_ENDPOINT: args.endpoint,
          CLAWKIT_EXPORT_DIR: path.join(KIT_DIR, "exports"),
          CLAWKIT_KIT_DIR: KIT_DIR,
          CLAWKIT_NODE: process.execPath,
        },
        // Only an export needs the credentials, so only then does the guard hold them.
        stdin:
          args.onDestroy === "export"
            ? pulumi.secret(
                pulumi.jsonStringify({
                  accessKeyId: args.credentials.accessKeyId,
                  secretAccessKey: args.credentials.secretAccessKey,
                }),
              )
            : undefined,
        addPreviousOutputInEnv: false,
        logging: "stderr",
      },
      { parent: this, additionalSecretOutputs: ["stdout", "stderr", "stdin"] },
    );
    this.registerOutputs({});
  }
}
