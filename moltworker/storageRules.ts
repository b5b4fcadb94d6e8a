// What the bucket must keep and how its one credential is scoped. Imports nothing, so
// the policy pack (policy/) can hold any program to these without loading a provider.

/** Where moltworker's container keeps live state in the bucket: rewritten every ~30 s. */
export const LIVE_STATE_PREFIXES = ["openclaw/", "workspace/", "skills/"] as const;

/** True when a rule over objects under PREFIX ("" is every object) reaches live state. */
export function reachesLiveState(prefix: string): boolean {
  return LIVE_STATE_PREFIXES.some((live) => live.startsWith(prefix) || prefix.startsWith(live));
}

/** The account-scoped resource name of one R2 bucket, as API token policies name it. */
export function bucketResource(accountId: string, jurisdiction: string, bucket: string): string {
  return `com.cloudflare.edge.r2.bucket.${accountId}_${jurisdiction}_${bucket}`;
}
