import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

/** Arguments of ModelGateway. */
export interface ModelGatewayArgs {
  /** The Cloudflare account. */
  readonly accountId: string;
  /** The gateway's id (a name in the account). */
  readonly gatewayId: string;
  /** Requests per minute before the gateway answers 429. */
  readonly requestsPerMinute: number;
}

/**
 * An AI Gateway between the agent and its model provider: every request logged, a
 * rate limit as a spending brake. Authenticated-gateway mode stays off: moltworker
 * cannot send the gateway's own token (moltworker issue #74).
 */
export class ModelGateway extends pulumi.ComponentResource {
  /** The gateway's id, as moltworker's CF_AI_GATEWAY_GATEWAY_ID. */
  public readonly gatewayId: pulumi.Output<string>;

  constructor(name: string, args: ModelGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkit:worker:ModelGateway", name, args, opts);
    const gateway = new cloudflare.AiGateway(
      `${name}-gateway`,
      {
        accountId: args.accountId,
        aiGatewayId: args.gatewayId,
        collectLogs: true,
        cacheTtl: 0,
        cacheInvalidateOnUpdate: false,
        rateLimitingInterval: 60,
        rateLimitingLimit: args.requestsPerMinute,
        rateLimitingTechnique: "sliding",
        authentication: false,
      },
      { parent: this },
    );
    this.gatewayId = gateway.aiGatewayId;
    this.registerOutputs({ gatewayId: this.gatewayId });
  }
}
