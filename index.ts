import * as pulumi from "@pulumi/pulumi";
import { parseConfig, pulumiConfigSource } from "./stacks/config";
import { createVpsStack } from "./stacks/vps";

// Validate everything before a single resource is registered.
const config = parseConfig(pulumiConfigSource(), pulumi.getStack());
const outputs = createVpsStack(config);

export const gatewayToken = outputs.gatewayToken;
export const tailnetUrl = outputs.tailnetUrl;
export const serverIpv4 = outputs.serverIpv4;
export const sshCommand = outputs.sshCommand;
export const adminPrivateKey = outputs.adminPrivateKey;
export const sshHostKey = outputs.sshHostKey;
