import * as pulumi from "@pulumi/pulumi";
import { pulumiConfigSource } from "./stackConfig";
import { program } from "./program";
import { MoltworkerOutputs } from "../moltworker/agent";
import { VpsOutputs } from "../vps/agent";

// Each shape fills in its own outputs; the other shape's stay undefined and are not exported.
const outputs: Partial<VpsOutputs & MoltworkerOutputs> = program(
  pulumiConfigSource(),
  pulumi.getStack(),
);

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
