import { ConfigSource } from "../core/config";
import { MoltworkerAgent } from "../moltworker/agent";
import { HostAgent } from "../owned/agent";
import { VpsAgent } from "../vps/agent";
import { FIRST_AGENT, hasAgentMap, parseAgents, StackAgent } from "./agents";
import { adoptTopLevelResources } from "./legacy";

/** One agent of any shape. */
export type Agent = VpsAgent | MoltworkerAgent | HostAgent;

/** Builds one agent from its validated configuration. */
function buildAgent({ name, config }: StackAgent): Agent {
  // The backup repository and tailnet name the config layer named (openclaw-<stack>), not the component's default.
  if (config.target === "host")
    return new HostAgent(name, {
      ...config.args,
      backupPrefix: config.backup?.prefix,
      ...(config.tailnetJoin ? { hostname: config.tailnetJoin.hostname } : {}),
    });
  // Only the first agent can own what a 0.1 stack registered at the top level.
  const opts = name === FIRST_AGENT ? { transformations: [adoptTopLevelResources(name)] } : {};
  return config.target === "vps"
    ? new VpsAgent(name, { ...config.args, hostname: config.hostname }, opts)
    : new MoltworkerAgent(name, config.args, opts);
}

/**
 * The whole program: validate every key of every agent first (a bad value throws
 * before any resource is registered), then build each agent. A stack without
 * `clawkit:agents` builds its one agent; with it, one per entry, by name.
 */
export function program(source: ConfigSource, stack: string): Agent | Record<string, Agent> {
  const agents = parseAgents(source, stack);
  if (!hasAgentMap(source)) return buildAgent(agents[0]);
  return Object.fromEntries(agents.map((agent) => [agent.name, buildAgent(agent)]));
}
