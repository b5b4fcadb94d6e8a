import * as pulumi from "@pulumi/pulumi";
import * as tailscale from "@pulumi/tailscale";

/** Arguments of TailnetAccess. */
export interface TailnetAccessArgs {
  /** Tags the server joins with (each "tag:…", owned in the tailnet policy). */
  readonly tags: readonly string[];
  /** Seconds the auth key stays valid; the server uses it within minutes of creation. */
  readonly expirySeconds?: number;
}

/**
 * The server's ticket into the tailnet: a one-off, preauthorized, tagged auth key
 * that expires within the hour. Used once at first boot, then worthless. The
 * tailnet policy is left alone: a tailscale.Acl would replace the operator's
 * whole policy.
 */
export class TailnetAccess extends pulumi.ComponentResource {
  /** The auth key, as a secret. */
  public readonly authKey: pulumi.Output<string>;

  constructor(name: string, args: TailnetAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkit:tailnet:TailnetAccess", name, args, opts);
    const key = new tailscale.TailnetKey(
      `${name}-authkey`,
      {
        reusable: false,
        ephemeral: false,
        preauthorized: true,
        expiry: args.expirySeconds ?? 3600,
        tags: [...args.tags],
        description: "clawkit one-off server bootstrap",
        // A used one-off key is invalid by design; recreating it would mint a fresh
        // live credential on every `pulumi up`.
        recreateIfInvalid: "never",
      },
      { parent: this, additionalSecretOutputs: ["key"] },
    );
    this.authKey = pulumi.secret(key.key);
    this.registerOutputs({ authKey: this.authKey });
  }
}

/** What the tailnet knows of the server once it has joined. */
export interface TailnetDevice {
  /** The device's tailnet addresses (100.x first). */
  readonly addresses: string[];
  /** The MagicDNS name, e.g. openclaw-dev.example.ts.net. */
  readonly name: string;
}

/**
 * Waits for a machine to appear on the tailnet. `after` delays the lookup until the
 * server exists, or the owned machine has been provisioned (so a preview never waits);
 * a device that never appears fails with the likely causes instead of the provider's
 * bare "not found".
 */
export function waitForTailnetDevice(
  hostname: string,
  after: pulumi.Input<string>,
  opts: pulumi.InvokeOptions,
  waitFor = "10m",
): pulumi.Output<TailnetDevice> {
  return pulumi.output(after).apply(async () => {
    try {
      const device = await tailscale.getDevice({ hostname, waitFor }, opts);
      return { addresses: device.addresses, name: device.name ?? hostname };
    } catch (err) {
      throw new Error(
        `clawkit: the server never joined the tailnet as "${hostname}" within ${waitFor}. ` +
          "Check that the tags in clawkit:tailnetTags are in your tailnet policy's tagOwners for the API key's owner, " +
          "that tailscale:tailnet names your tailnet, and how the join went: a vps's console log (Hetzner console) for cloud-init errors, " +
          "a machine you own in the provisioning output (tailscale-join). " +
          `(${err instanceof Error ? err.message : String(err)})`,
      );
    }
  });
}
