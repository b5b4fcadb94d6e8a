import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { workerScriptCommand } from "./workerDeploy";

/** One value per run of the program: it makes the check run on every `pulumi up`. */
const THIS_RUN = new Date().toISOString();

/** Arguments of WorkerExposureCheck. */
export interface WorkerExposureCheckArgs {
  /** The worker's https URL, probed from the operator's machine. */
  readonly workerUrl: string;
  /** The Access service token that must still get through (secret). */
  readonly serviceToken: {
    readonly id: pulumi.Input<string>;
    readonly secret: pulumi.Input<string>;
  };
  /** Changes whenever the check must run again (default: this run of the program, so every `pulumi up`). */
  readonly runId?: string;
}

/**
 * Proves on every `pulumi up` that Cloudflare Access stands in front of the worker
 * (moltworker/exposure-check.sh): without credentials Access answers (its login redirect
 * or 403), with the kit's service token the worker's own health route answers. A
 * finding fails `pulumi up` and names it. The run id is an environment value, so each
 * run updates the command in place, never replaces anything.
 */
export class WorkerExposureCheck extends pulumi.ComponentResource {
  constructor(name: string, args: WorkerExposureCheckArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkit:worker:WorkerExposureCheck", name, args, opts);
    new command.local.Command(
      `${name}-probe`,
      {
        create: workerScriptCommand("exposure-check.sh"),
        environment: {
          CLAWKIT_WORKER_URL: args.workerUrl,
          CLAWKIT_CHECK_RUN: args.runId ?? THIS_RUN,
        },
        stdin: pulumi.secret(
          pulumi.interpolate`${args.serviceToken.id}\n${args.serviceToken.secret}\n`,
        ),
        logging: "stderr",
        addPreviousOutputInEnv: false,
      },
      { parent: this, additionalSecretOutputs: ["stdout", "stderr", "stdin"] },
    );
    this.registerOutputs({});
  }
}
