import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { Connection } from "./provisioner";

/** The host command that installs secrets from stdin (vps/host/scripts/secrets-apply.sh). */
export const SECRETS_APPLY_COMMAND = "sudo /usr/local/sbin/clawkit-secrets-apply";

/** Arguments of SecretsSync. */
export interface SecretsSyncArgs {
  /** The pinned connection to the server. */
  readonly connection: pulumi.Input<Connection>;
  /** The rendered secrets file (secret). */
  readonly secretsEnv: pulumi.Input<string>;
}

/**
 * Puts the gateway's secrets on the server through the command's stdin (never
 * argv, never the command's environment), restarts the gateway, proves the new
 * token works, and rolls back to the previous secrets when it does not; the
 * command then fails and so does `pulumi up`.
 */
export class SecretsSync extends pulumi.ComponentResource {
  public readonly apply: command.remote.Command;

  constructor(name: string, args: SecretsSyncArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkit:host:SecretsSync", name, args, opts);
    this.apply = new command.remote.Command(
      `${name}-apply`,
      {
        connection: args.connection,
        create: SECRETS_APPLY_COMMAND,
        stdin: pulumi.secret(args.secretsEnv),
        // The script prints no secret; its stderr explains a rollback.
        logging: "stderr",
      },
      { parent: this, additionalSecretOutputs: ["stdout", "stderr", "stdin"] },
    );
    this.registerOutputs({});
  }
}
