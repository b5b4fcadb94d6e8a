import { ConfigSource, parseConfig } from "./config";
import { createVpsStack, VpsOutputs } from "./vps";

/**
 * The whole program: validate every key first (a bad value throws before any
 * resource is registered), then build the chosen shape.
 */
export function program(source: ConfigSource, stack: string): VpsOutputs {
  const config = parseConfig(source, stack);
  return createVpsStack(config);
}
