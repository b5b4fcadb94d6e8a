import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { BucketOnDestroy } from "./args";
import { deployCommand } from "./workerDeploy";

/**
 * How deploy.sh runs the exporter (bucket-export-main) with the node running this
 * program: from the built package the compiled .js as it is, from a source checkout
 * (run through ts-node) the .ts with ts-node preloaded.
 */
function exporterEnvironment(): Record<string, string> {
  const exporter = path.join(__dirname, `bucket-export-main${path.extname(__filename)}`);
  return exporter.endsWith(".ts")
    ? {
        CLAWKIT_EXPORTER: exporter,
        CLAWKIT_NODE_REQUIRE: require.resolve("ts-node/register/transpile-only"),
      }
    : { CLAWKIT_EXPORTER: exporter };
}

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
 * `exports/` in the Pulumi project's directory and empties the bucket ("export").
 * Its delete step reads the setting from its last `pulumi up`, so changing the
 * setting takes an `up` first.
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
          // The Pulumi project's directory (where `pulumi` runs the program), never
          // the installed package's, which npm may replace.
          CLAWKIT_EXPORT_DIR: path.resolve("exports"),
          CLAWKIT_NODE: process.execPath,
          ...exporterEnvironment(),
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
