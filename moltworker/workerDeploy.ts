import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** The script that runs wrangler (moltworker/deploy.sh): secrets reach it on stdin only. */
export const DEPLOY_SCRIPT = path.resolve(__dirname, "deploy.sh");

/** `sh '<worker/script>' [mode]`, quoted for /bin/sh: the kit's scripts for the worker. */
export function workerScriptCommand(script: string, mode?: string): string {
  const file = path.resolve(__dirname, script);
  return `sh '${file.replace(/'/g, `'\\''`)}'${mode ? ` ${mode}` : ""}`;
}

/** `sh '<deploy.sh>' <mode>`, quoted for /bin/sh. */
export function deployCommand(mode: "deploy" | "secrets" | "delete" | "bucket-on-destroy"): string {
  return workerScriptCommand("deploy.sh", mode);
}

/** Arguments of WorkerDeploy. */
export interface WorkerDeployArgs {
  /** The moltworker checkout wrangler runs in. */
  readonly dir: string;
  /** The worker's name. */
  readonly workerName: string;
  /** The rendered wrangler config (no secrets). */
  readonly wranglerConfig: string;
  /** The commit the checkout must be at, or undefined when unpinned. */
  readonly commit?: string;
  /** The Cloudflare account. */
  readonly accountId: string;
  /** The API token wrangler acts with (secret): it travels on stdin. */
  readonly apiToken: pulumi.Input<string>;
}

/**
 * The worker and its container, deployed by `wrangler deploy` from the moltworker
 * checkout (no Pulumi resource can build or push the container image), re-run when
 * the commit, the rendered config or the deploy script change (in place: never a
 * replacement, whose delete step would remove the new deploy); deleted with
 * `wrangler delete` on destroy.
 */
export class WorkerDeploy extends pulumi.ComponentResource {
  /** The deploy command: on workers.dev, Access can only be put in front of a worker that exists. */
  public readonly deployed: command.local.Command;

  constructor(name: string, args: WorkerDeployArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkit:worker:WorkerDeploy", name, args, opts);
    const script = fs.readFileSync(DEPLOY_SCRIPT, "utf8");
    const deploy = new command.local.Command(
      `${name}-wrangler`,
      {
        dir: args.dir,
        create: deployCommand("deploy"),
        // A trigger then updates in place: without an update command the provider
        // replaces, creating the new deploy before deleting the old, and that delete
        // (`wrangler delete` of the same name) would remove the worker just deployed.
        update: deployCommand("deploy"),
        delete: deployCommand("delete"),
        environment: {
          CLAWKIT_WORKER_NAME: args.workerName,
          CLAWKIT_MOLTWORKER_COMMIT: args.commit ?? "",
          CLAWKIT_WRANGLER_CONFIG: args.wranglerConfig,
          CLOUDFLARE_ACCOUNT_ID: args.accountId,
        },
        stdin: pulumi.secret(pulumi.interpolate`${args.apiToken}\n`),
        triggers: [
          args.commit ?? "unpinned",
          crypto.createHash("sha256").update(args.wranglerConfig).update(script).digest("hex"),
        ],
        logging: "stderr",
        // The provider would otherwise put the last run's output in the next run's environment.
        addPreviousOutputInEnv: false,
      },
      { parent: this, additionalSecretOutputs: ["stdout", "stderr", "stdin"] },
    );
    this.deployed = deploy;
    this.registerOutputs({});
  }
}
