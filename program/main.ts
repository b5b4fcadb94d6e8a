import * as pulumi from "@pulumi/pulumi";
import { MoltworkerAgent } from "../moltworker/agent";
import { HostAgent } from "../owned/agent";
import { VpsAgent } from "../vps/agent";
import { Agent, program } from "./program";
import { pulumiConfigSource } from "./stackConfig";

/** What a stack exports of one agent: the outputs of its shape. */
function outputsOf(agent: Agent) {
  return agent instanceof VpsAgent
    ? {
        gatewayToken: agent.gatewayToken,
        tailnetUrl: agent.tailnetUrl,
        serverIpv4: agent.serverIpv4,
        serverIpv6: agent.serverIpv6,
        sshCommand: agent.sshCommand,
        adminPrivateKey: agent.adminPrivateKey,
        sshHostKey: agent.sshHostKey,
        lockdown: agent.lockdown,
        posture: agent.posture,
        listeningPorts: agent.listeningPorts,
      }
    : agent instanceof HostAgent
      ? {
          gatewayToken: agent.gatewayToken,
          tailnetUrl: agent.tailnetUrl,
          sshCommand: agent.sshCommand,
          sshHostKey: agent.sshHostKey,
          lockdown: agent.lockdown,
          posture: agent.posture,
          listeningPorts: agent.listeningPorts,
        }
      : {
          gatewayToken: agent.gatewayToken,
          workerUrl: agent.workerUrl,
          bucketName: agent.bucketName,
          accessServiceTokenId: agent.accessServiceTokenId,
          accessServiceTokenSecret: agent.accessServiceTokenSecret,
        };
}

const built = program(pulumiConfigSource(), pulumi.getStack());
const single =
  built instanceof VpsAgent || built instanceof MoltworkerAgent || built instanceof HostAgent
    ? built
    : undefined;
// A stack with one agent exports its outputs at the top, as it always has.
const outputs: Partial<VpsAgent & MoltworkerAgent & HostAgent> = single ?? {};

export const gatewayToken = outputs.gatewayToken;
export const tailnetUrl = outputs.tailnetUrl;
export const serverIpv4 = outputs.serverIpv4;
export const serverIpv6 = outputs.serverIpv6;
export const sshCommand = outputs.sshCommand;
export const adminPrivateKey = outputs.adminPrivateKey;
export const sshHostKey = outputs.sshHostKey;
export const lockdown = outputs.lockdown;
export const posture = outputs.posture;
export const listeningPorts = outputs.listeningPorts;
export const workerUrl = outputs.workerUrl;
export const bucketName = outputs.bucketName;
export const accessServiceTokenId = outputs.accessServiceTokenId;
export const accessServiceTokenSecret = outputs.accessServiceTokenSecret;
/** With clawkit:agents: each agent's outputs, by name. */
export const agents = single
  ? undefined
  : Object.fromEntries(
      Object.entries(built as Record<string, Agent>).map(([name, agent]) => [
        name,
        outputsOf(agent),
      ]),
    );
