import { HOST } from "./paths";

/** squid's name for connections on the agent's port (the only port the agent had). */
export const PROXY_AGENT_PORT_ACL = "clawkit_agent_port";
/** The credential gateway's variable: "1" while locked down, for every path but its health. */
export const CREDENTIAL_GATEWAY_LOCKDOWN_VARIABLE = "$clawkit_lockdown";

/** The bundle paths of each lockdown state's files (provision.sh copies them where lockdown.sh finds them). */
export const LOCKDOWN_FILES = {
  proxy: (lockdown: boolean) => `files/proxy-lockdown-${lockdown ? "on" : "off"}.conf`,
  credentialGateway: (lockdown: boolean) =>
    `files/credential-gateway-lockdown-${lockdown ? "on" : "off"}.conf`,
} as const;

/**
 * The includes squid and the credential gateway read on each (re)load, for one
 * state. Locked down, both refuse the agent: the second wall behind the firewall,
 * which then gives the agent no way to either. The credential gateway still
 * answers its health check (secrets-apply swaps credentials during a lockdown too).
 */
export function renderLockdownIncludes(lockdown: boolean): {
  proxy: string;
  credentialGateway: string;
} {
  const header = `# Managed by clawkit: ${lockdown ? "LOCKED DOWN (clawkit-lockdown on)" : "not locked down"}; ${HOST.lockdownFile} is the state.`;
  return {
    proxy: [header, ...(lockdown ? [`http_access deny ${PROXY_AGENT_PORT_ACL}`] : []), ""].join(
      "\n",
    ),
    credentialGateway: [
      header,
      `map $uri ${CREDENTIAL_GATEWAY_LOCKDOWN_VARIABLE} {`,
      `  default ${lockdown ? 1 : 0};`,
      ...(lockdown ? ["  /clawkit-health 0;"] : []),
      "}",
      "",
    ].join("\n"),
  };
}
