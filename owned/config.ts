import * as pulumi from "@pulumi/pulumi";
import { ConfigReader, k } from "../core/config";
import { CONFIG_NAMES } from "../core/rules";
import { SecretValue } from "../core/settings";
import { checkTailscaleCredentials, readHardenedHostKeys, stackHostname } from "../vps/config";
import { HostAgentArgs } from "./args";
import { ownedProblems } from "./rules";
import { HostAgentSettings, hostAgentSettings } from "./settings";

/** The validated configuration of a machine the operator owns: the agent's args, and its settings. */
export interface HostConfig extends HostAgentSettings {
  readonly target: "host";
  readonly stack: string;
  /** What the stack's keys say, as HostAgent takes it. */
  readonly args: HostAgentArgs;
}

/**
 * The admin's SSH private key, a secret kept whole: an OpenSSH key block holds spaces
 * and newlines, which the host's secrets files never carry and this key never reaches.
 * Refused in plain text; its form is the rules' (ownedProblems).
 */
function readSshPrivateKey(r: ConfigReader): { value?: SecretValue; raw?: string } {
  const key = k("sshPrivateKey");
  const raw = r.source.get(key);
  if (raw === undefined || raw === "") return {};
  if (!r.source.isSecret(key)) {
    r.problem(
      key,
      "is stored in plain text in the stack file",
      `pulumi config rm ${key} && pulumi config set --secret ${key} < ~/.ssh/id_ed25519`,
    );
    return {};
  }
  return { value: pulumi.secret(raw), raw };
}

/**
 * Reads a machine's keys into HostAgent's args and judges them by the rules the
 * component applies (owned/rules.ts), naming each `clawkit:` key. The machine is the
 * operator's, so no cloud credential is asked; the Tailscale provider's only when the
 * kit joins it to the tailnet.
 */
export function parseHostConfig(r: ConfigReader, stack: string): HostConfig {
  const hardened = readHardenedHostKeys(r);
  const sshPrivateKey = readSshPrivateKey(r);
  const tailnetJoin = r.bool("tailnetJoin", false);
  const own = {
    host: r.text("host") ?? "",
    sshHostKey: r.text("sshHostKey"),
    sshFromLan: r.list("sshFromLan"),
    deleteStateOnDestroy: r.bool("deleteStateOnDestroy", false),
    tailnetJoin,
    // Pulumi.yaml hands every stack its tags' default: read only where they mean something.
    tailnetTags: tailnetJoin ? r.list("tailnetTags") : undefined,
    hostname: r.text("hostname"),
  };
  const args: HostAgentArgs = { ...hardened.args, ...own, sshPrivateKey: sshPrivateKey.value };
  r.problems.push(
    ...ownedProblems(
      { ...hardened.judged, ...own, sshPrivateKey: sshPrivateKey.raw },
      CONFIG_NAMES,
    ),
  );
  checkTailscaleCredentials(r, tailnetJoin);
  return {
    ...hostAgentSettings(args, stackHostname(stack)),
    target: "host",
    stack,
    args,
  };
}
