import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { deployCommand } from "./workerDeploy";

/** Arguments of BucketGuard. */
export interface BucketGuardArgs {
  /** The bucket that holds the agent's state. */
  readonly bucketName: pulumi.Input<string>;
  /** "refuse" stops `pulumi destroy`; "keep" lets it go on (the bucket is retained). */
  readonly onDestroy: "refuse" | "keep";
}

/**
 * A command with nothing to do until `pulumi destroy`, which deletes it first (pass
 * everything else in `dependsOn`): unless the operator chose to keep the bucket, it
 * stops the destroy before anything is deleted. Its delete step reads the setting
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
        },
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
