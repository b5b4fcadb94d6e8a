/**
 * clawkit as a library: one component per shape, their args, and the pure renderers
 * behind them. Importing it registers nothing; the Pulumi program that turns stack
 * config into these components is program/main.ts.
 */
export { VpsAgent } from "./vps/agent";
export { ExecSecurity, VpsAgentArgs } from "./vps/args";
export { HostAgent } from "./owned/agent";
export { HostAgentArgs } from "./owned/args";
export { MoltworkerAgent } from "./moltworker/agent";
export { BucketJurisdiction, BucketOnDestroy, MoltworkerAgentArgs } from "./moltworker/args";

// The rules both the components and the config layer apply, for checking settings early.
export { ARG_NAMES, CONFIG_NAMES, SettingNames, SettingProblem } from "./core/rules";
export { vpsProblems } from "./vps/rules";
export { ownedProblems } from "./owned/rules";
export { moltworkerProblems, MOLTWORKER_COMMIT } from "./moltworker/rules";

// Everything that lands on a vps host, rendered by pure functions.
export { HostSettings, packBundle, renderBundle } from "./vps/host/bundle";
export { renderUserData, UserDataOptions } from "./vps/host/userdata";
export { renderOpenclawConfig, OpenclawOptions } from "./vps/host/openclaw-config";
export { renderCredentialGatewayConfig } from "./vps/host/credential-gateway";
export { renderProxyConfig } from "./vps/host/proxy";
export { renderAgentEgressRules } from "./vps/host/firewall";
export { renderHostSecrets, HostSecrets } from "./vps/host/secrets";
export { hostSettings, vpsSettings, VpsSettings } from "./vps/settings";
// And on Cloudflare: the wrangler config and the worker's secrets.
export { renderWorkerSecrets, renderWranglerConfig } from "./moltworker/wrangler-config";
