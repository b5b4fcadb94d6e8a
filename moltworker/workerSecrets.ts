import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { FORBIDDEN_WORKER_VARS } from "./wrangler-config";
import { deployCommand } from "./workerDeploy";

/** Arguments of WorkerSecrets. */
export interface WorkerSecretsArgs {
  /** The moltworker checkout wrangler runs in. */
  readonly dir: string;
  /** The worker's name. */
  readonly workerName: string;
  /** The worker's https URL, where the gateway is restarted through Access. */
  readonly workerUrl: string;
  /** The Cloudflare account. */
  readonly accountId: string;
  /** The API token wrangler acts with (secret). */
  readonly apiToken: pulumi.Input<string>;
  /** The Access service token the restart authenticates with. */
  readonly serviceToken: {
    readonly id: pulumi.Input<string>;
    readonly secret: pulumi.Input<string>;
  };
  /** The JSON document of the worker's secrets (secret). */
  readonly secretsJson: pulumi.Input<string>;
}

/**
 * Sets the worker's secrets with `wrangler secret bulk` (JSON on stdin) and restarts
 * the gateway through Access, because a running gateway keeps the secrets it started
 * with (moltworker issue #58). Re-runs whenever any secret changes; fails, and so
 * fails `pulumi up`, when the restart does not happen.
 */
export class WorkerSecrets extends pulumi.ComponentResource {
  constructor(name: string, args: WorkerSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkit:worker:WorkerSecrets", name, args, opts);
    new command.local.Command(
      `${name}-bulk`,
      {
        dir: args.dir,
        create: deployCommand("secrets"),
        environment: {
          CLAWKIT_WORKER_NAME: args.workerName,
          CLAWKIT_WORKER_URL: args.workerUrl,
          // One list of the switches, in moltworker/wrangler-config.ts; the script refuses them.
          CLAWKIT_FORBIDDEN_SECRETS: FORBIDDEN_WORKER_VARS.join(" "),
          CLOUDFLARE_ACCOUNT_ID: args.accountId,
        },
        stdin: pulumi.secret(
          pulumi.interpolate`${args.apiToken}\n${args.serviceToken.id}\n${args.serviceToken.secret}\n${args.secretsJson}`,
        ),
        logging: "stderr",
        // The provider would otherwise put the last run's output in the next run's environment.
        addPreviousOutputInEnv: false,
      },
      { parent: this, additionalSecretOutputs: ["stdout", "stderr", "stdin"] },
    );
    this.registerOutputs({});
  }
}
