import * as pulumi from "@pulumi/pulumi";
import { pulumiConfigSource } from "./stacks/config";
import { program } from "./stacks/program";

const outputs = program(pulumiConfigSource(), pulumi.getStack());

export const gatewayToken = outputs.gatewayToken;
export const tailnetUrl = outputs.tailnetUrl;
export const serverIpv4 = outputs.serverIpv4;
export const sshCommand = outputs.sshCommand;
export const adminPrivateKey = outputs.adminPrivateKey;
export const sshHostKey = outputs.sshHostKey;
