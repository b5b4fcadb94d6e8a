import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { GatewayToken } from "../core/gatewayToken";
import { ARG_NAMES, dnsLabel, plainArgProblems, refuseArgs } from "../core/rules";
import { afterProvisioning } from "../vps/afterProvisioning";
import {
  OWNED_PROVISION_COMMAND,
  packBundle,
  renderBundle,
  renderHostEnv,
} from "../vps/host/bundle";
import {
  ownerTag,
  preflightCommand,
  TAILNET_KEY_COMMAND,
  teardownCommands,
} from "../vps/host/owned";
import { Provisioner } from "../vps/provisioner";
import { hostSettings } from "../vps/settings";
import { TailnetAccess, waitForTailnetDevice } from "../vps/tailnetAccess";
import { HOST_AGENT_INPUT_ARGS, HostAgentArgs } from "./args";
import { ownedProblems } from "./rules";
import { hostAgentSettings } from "./settings";

export { HostAgentArgs } from "./args";

/** Who provisions the machine, written on it: refused before anything when the names cannot be. */
function ownerOf(stack: string, name: string): string {
  try {
    return ownerTag(stack, name);
  } catch {
    throw new pulumi.ResourceError(
      `HostAgent "${name}": the stack and agent names are written on the machine as its owner, and "${stack}/${name}" holds more than letters, digits, dots, dashes and underscores`,
      undefined,
    );
  }
}

/**
 * One OpenClaw agent on a Debian 12 machine the operator owns (a mini PC, a Raspberry
 * Pi): commands over SSH as its admin, and no cloud resource. A preflight proves the
 * connection came over the tailnet (or an opted-in LAN) and pins the host key; the kit
 * records what the machine was, then installs the same bundle, secrets, lockdown,
 * posture and exposure check as on a vps. With tailnetJoin, the kit also joins the
 * machine to the tailnet as a vps joins, with a one-off tagged key (then the one
 * resource outside the machine). Destroy removes what the kit installed and keeps the agent's
 * state unless told otherwise; the machine stays, and stays reachable (and on the
 * tailnet). Its args are checked by the same rules as the `clawkit:` keys, before
 * anything is registered.
 */
export class HostAgent extends pulumi.ComponentResource {
  /** The gateway's bearer token (secret). */
  public readonly gatewayToken: pulumi.Output<string>;
  /** The gateway's address on the tailnet (HTTPS through tailscale serve). */
  public readonly tailnetUrl: pulumi.Output<string>;
  /** How to log in, the way the kit does. */
  public readonly sshCommand: pulumi.Output<string>;
  /** The machine's pinned SSH host key. */
  public readonly sshHostKey: pulumi.Output<string>;
  /** What the last lockdown switch did on the machine. */
  public readonly lockdown: pulumi.Output<string>;
  /** The machine's posture after this run (clawkit-posture --json): no secret in it. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form JSON, typed "Any" in the schema
  public readonly posture: pulumi.Output<Record<string, any>>;
  /** The TCP ports something listens on, on the machine: what the exposure check probes. */
  public readonly listeningPorts: pulumi.Output<number[]>;

  constructor(name: string, args: HostAgentArgs, opts?: pulumi.ComponentResourceOptions) {
    // Refused before anything, this component included, is registered.
    refuseArgs("HostAgent", name, plainArgProblems(args, HOST_AGENT_INPUT_ARGS, ARG_NAMES));
    refuseArgs("HostAgent", name, ownedProblems(args, ARG_NAMES));
    const owner = ownerOf(pulumi.getStack(), name);
    super("clawkit:index:HostAgent", name, {}, opts);
    const settings = hostAgentSettings(args, dnsLabel("openclaw", pulumi.getStack(), name));

    const token = new GatewayToken(
      `${name}-gateway-token`,
      { rotation: settings.tokenRotation },
      { parent: this },
    );

    const joining = settings.tailnetJoin;
    const tailnet =
      joining && new TailnetAccess(`${name}-tailnet`, { tags: joining.tags }, { parent: this });

    const onHost = hostSettings(settings);
    const bundle = packBundle(renderBundle(onHost));
    // The removal reads the host's names and paths (clawkit.env, no secret) ahead of it.
    const teardown = teardownCommands(owner, settings.deleteStateOnDestroy, renderHostEnv(onHost));
    const provisioner = new Provisioner(
      `${name}-host`,
      {
        host: settings.host,
        user: settings.adminUser,
        privateKey: settings.sshPrivateKey,
        knownHostKey: settings.sshHostKey,
        preflight: preflightCommand(owner, settings.sshFromLan, joining !== undefined),
        provisionCommand: OWNED_PROVISION_COMMAND,
        bundle,
        // The record is made before the first provisioning, and the removal runs after
        // everything else on destroy. No triggers: a replacement would create the new
        // one before deleting the old, whose delete would tear down a live machine.
        beforeProvisioning: (connection) => [
          new command.remote.Command(
            `${name}-teardown`,
            {
              connection,
              create: teardown.command,
              delete: teardown.delete,
              stdin: teardown.stdin,
              addPreviousOutputInEnv: false,
            },
            { parent: this },
          ),
          // The one-off key, on stdin into a root-only file that provisioning joins with
          // and shreds. No delete: the machine stays on the tailnet when the agent goes.
          ...(tailnet
            ? [
                new command.remote.Command(
                  `${name}-tailnet-key`,
                  {
                    connection,
                    create: TAILNET_KEY_COMMAND,
                    stdin: tailnet.authKey,
                    addPreviousOutputInEnv: false,
                  },
                  { parent: this, additionalSecretOutputs: ["stdin"] },
                ),
              ]
            : []),
        ],
      },
      { parent: this },
    );

    // The name the machine's tailnet certificate is for: the tailnet's once the kit has
    // joined it there; else the preflight's, or the given name if it said none.
    const tailnetName = joining
      ? waitForTailnetDevice(joining.hostname, provisioner.run.id, { parent: this }).name
      : provisioner.dnsName.apply((dnsName) => dnsName ?? settings.host);
    const tailnetUrl = pulumi.interpolate`https://${tailnetName}`;
    const { lockdown, posture } = afterProvisioning(this, name, {
      provisioner,
      bundleSha256: pulumi.output(bundle.sha256),
      settings,
      gatewayToken: token.value,
      tailnetUrl,
      // No public half: probing LAN addresses from a roaming laptop could reach a stranger's machine.
      ipv4: "",
      ipv6: "",
    });

    this.gatewayToken = token.value;
    this.tailnetUrl = tailnetUrl;
    this.sshCommand = pulumi.output(`ssh ${settings.adminUser}@${settings.host}`);
    this.sshHostKey = provisioner.hostKey;
    this.lockdown = lockdown.report;
    this.posture = posture.report;
    this.listeningPorts = posture.listeningPorts;
    this.registerOutputs({
      gatewayToken: this.gatewayToken,
      tailnetUrl: this.tailnetUrl,
      sshCommand: this.sshCommand,
      sshHostKey: this.sshHostKey,
      lockdown: this.lockdown,
      posture: this.posture,
      listeningPorts: this.listeningPorts,
    });
  }
}
