import { ConfigSource } from "../core/config";
import { parseConfig } from "./stackConfig";
import { createMoltworkerStack, MoltworkerOutputs } from "../moltworker/agent";
import { createVpsStack, VpsOutputs } from "../vps/agent";

/** The outputs of whichever shape the stack deploys. */
export type StackOutputs = VpsOutputs | MoltworkerOutputs;

/**
 * The whole program: validate every key first (a bad value throws before any
 * resource is registered), then build the chosen shape.
 */
export function program(source: ConfigSource, stack: string): StackOutputs {
  const config = parseConfig(source, stack);
  return config.target === "vps" ? createVpsStack(config) : createMoltworkerStack(config);
}
