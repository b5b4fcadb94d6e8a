import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** Arguments of GatewayToken. */
export interface GatewayTokenArgs {
  /** Any string; changing it (`clawkit:tokenRotation`) generates a new token. */
  readonly rotation: pulumi.Input<string>;
  /** Token length; at least 48. */
  readonly length?: number;
}

/** The gateway's bearer token: random, long, regenerated when the rotation keeper changes. */
export class GatewayToken extends pulumi.ComponentResource {
  /** The token, as a secret. */
  public readonly value: pulumi.Output<string>;

  constructor(name: string, args: GatewayTokenArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkit:auth:GatewayToken", name, args, opts);
    const length = args.length ?? 64;
    if (length < 48)
      throw new pulumi.ResourceError(
        `GatewayToken ${name}: args.length must be at least 48 (a shorter token can be guessed), got ${length}; leave it unset for 64`,
        this,
      );
    const password = new random.RandomPassword(
      `${name}-password`,
      { length, special: false, keepers: { rotation: args.rotation } },
      { parent: this, additionalSecretOutputs: ["result"] },
    );
    this.value = pulumi.secret(password.result);
    this.registerOutputs({ value: this.value });
  }
}
