import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { workerScriptCommand } from "./workerDeploy";

/** Arguments of WorkerLockdown. */
export interface WorkerLockdownArgs {
  /** True while the stack is locked down (`clawkit:lockdown`). */
  readonly lockdown: boolean;
  /** The worker's https URL, where the gateway is restarted through Access. */
  readonly workerUrl: string;
  /** The Cloudflare account. */
  readonly accountId: string;
  /** The Access application whose sessions a lockdown revokes. */
  readonly accessApplicationId: pulumi.Input<string>;
  /** The API token that revokes the sessions (secret). */
  readonly apiToken: pulumi.Input<string>;
  /** The Access service token the restart authenticates with. */
  readonly serviceToken: {
    readonly id: pulumi.Input<string>;
    readonly secret: pulumi.Input<string>;
  };
}

/**
 * The worker's side of `clawkit:lockdown` (moltworker/lockdown.sh), run after Access's
 * people policy changed: on, it revokes every Access session of the application and
 * restarts the gateway through Access, which ends every open connection (moltworker
 * has no route that stops the gateway or its container); off, it says so. The state
 * is an environment value, so switching updates the command in place and re-runs it.
 */
export class WorkerLockdown extends pulumi.ComponentResource {
  constructor(name: string, args: WorkerLockdownArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkit:worker:WorkerLockdown", name, args, opts);
    new command.local.Command(
      `${name}-switch`,
      {
        create: workerScriptCommand("lockdown.sh"),
        environment: {
          CLAWKIT_LOCKDOWN: args.lockdown ? "on" : "off",
          CLAWKIT_WORKER_URL: args.workerUrl,
          CLAWKIT_ACCESS_APP_ID: args.accessApplicationId,
          CLOUDFLARE_ACCOUNT_ID: args.accountId,
        },
        stdin: pulumi.secret(
          pulumi.interpolate`${args.apiToken}\n${args.serviceToken.id}\n${args.serviceToken.secret}\n`,
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
