import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AccessGate } from "./accessGate";
import { BucketGuard } from "./bucketGuard";
import { WorkerExposureCheck } from "./workerExposureCheck";
import { GatewayToken } from "../core/gatewayToken";
import { ModelGateway } from "./modelGateway";
import { WorkerDeploy } from "./workerDeploy";
import { WorkerLockdown } from "./workerLockdown";
import { WorkerSecrets } from "./workerSecrets";
import { r2Endpoint, WorkerStorage } from "./workerStorage";
import { renderWorkerSecrets, renderWranglerConfig } from "./wrangler-config";
import { MoltworkerConfig } from "./config";

/** What the moltworker stack exports. */
export interface MoltworkerOutputs {
  /** The gateway's token (secret): the Control UI asks for it after Access lets you in. */
  readonly gatewayToken: pulumi.Output<string>;
  /** The worker's URL, behind Cloudflare Access. */
  readonly workerUrl: pulumi.Output<string>;
  /** The R2 bucket that holds the agent's state. */
  readonly bucketName: pulumi.Output<string>;
  /** Client id of the Access service token for automation. */
  readonly accessServiceTokenId: pulumi.Output<string>;
  /** Client secret of that service token (secret). */
  readonly accessServiceTokenSecret: pulumi.Output<string>;
}

/**
 * Composes the moltworker shape: bucket and its scoped token, the worker deployed
 * by wrangler, Access over the whole hostname (after the worker exists), the AI
 * Gateway when chosen, then the worker's secrets and a gateway restart, the lockdown
 * switch and the exposure check; a billing alert when asked (by email and to the alert
 * webhook); and a guard that keeps `pulumi destroy` from losing the bucket.
 */
export function createMoltworkerStack(config: MoltworkerConfig): MoltworkerOutputs {
  const accountId = config.accountId;
  const hostname = config.host.hostname;
  const workerUrl = `https://${hostname}`;

  const token = new GatewayToken("gateway-token", { rotation: config.tokenRotation });
  const storage = new WorkerStorage("storage", {
    accountId,
    bucketName: config.bucketName,
    location: config.bucketLocation,
    jurisdiction: config.bucketJurisdiction,
    retainOnDestroy: config.bucketOnDestroy === "keep",
  });

  // Between the bucket and everything that uses it: on `pulumi destroy` it runs after
  // the worker is gone and before the bucket or its token is touched.
  const guard = new BucketGuard(
    "bucket-guard",
    {
      bucketName: storage.bucketName,
      onDestroy: config.bucketOnDestroy,
      endpoint: r2Endpoint(accountId, config.bucketJurisdiction),
      credentials: { accessKeyId: storage.accessKeyId, secretAccessKey: storage.secretAccessKey },
    },
    { dependsOn: [storage] },
  );

  const worker = new WorkerDeploy(
    "worker",
    {
      dir: config.moltworker.dir,
      workerName: config.workerName,
      wranglerConfig: renderWranglerConfig(config.moltworker.wranglerConfig, {
        workerName: config.workerName,
        bucketName: config.bucketName,
        bucketJurisdiction: config.bucketJurisdiction,
        workersDev: config.host.kind === "workers.dev",
      }),
      commit: config.moltworker.commit,
      accountId,
      apiToken: config.cloudflareApiToken,
    },
    { dependsOn: [storage, guard] },
  );

  // On workers.dev, Access can only protect a worker that exists; a custom domain is
  // protected before it is attached, so the worker is never there without Access.
  const access = new AccessGate(
    "access",
    {
      accountId,
      hostname,
      emails: config.accessEmails,
      sessionDuration: config.accessSessionDuration,
      oneTimePin: config.accessOneTimePin,
      browserBypass: config.browser,
      lockdown: config.lockdown,
    },
    { dependsOn: config.host.kind === "workers.dev" ? [worker.deployed] : [] },
  );
  if (config.host.kind === "custom") {
    new cloudflare.WorkersCustomDomain(
      "worker-domain",
      { accountId, hostname, zoneId: config.host.zoneId, service: config.workerName },
      { dependsOn: [worker, access] },
    );
  }

  const models = config.aiGateway
    ? new ModelGateway("models", {
        accountId,
        gatewayId: config.workerName,
        requestsPerMinute: config.aiGatewayRateLimit,
      })
    : undefined;

  const cdpSecret = config.browser
    ? new random.RandomPassword(
        "browser-cdp-secret",
        { length: 48, special: false, keepers: { rotation: config.tokenRotation } },
        { additionalSecretOutputs: ["result"] },
      ).result
    : undefined;

  const required = pulumi.all([
    token.value,
    access.teamDomain,
    access.aud,
    storage.accessKeyId,
    storage.secretAccessKey,
    storage.bucketName,
  ]);
  const optional = pulumi.all([
    config.anthropicApiKey,
    config.openaiApiKey,
    models?.gatewayId,
    config.telegramBotToken,
    cdpSecret,
  ]);
  const secretsJson = pulumi
    .all([required, optional])
    .apply(
      ([
        [gatewayToken, accessTeamDomain, accessAud, accessKeyId, secretAccessKey, bucket],
        [anthropicApiKey, openaiApiKey, aiGatewayId, telegramBotToken, cdp],
      ]) =>
        renderWorkerSecrets({
          gatewayToken,
          accessTeamDomain,
          accessAud,
          accountId,
          model: config.model,
          anthropicApiKey,
          openaiApiKey,
          aiGatewayId,
          r2: { accessKeyId, secretAccessKey, bucket },
          telegramBotToken,
          browser: cdp ? { cdpSecret: cdp, workerUrl } : undefined,
        }),
    );

  const secrets = new WorkerSecrets(
    "worker-secrets",
    {
      dir: config.moltworker.dir,
      workerName: config.workerName,
      workerUrl,
      accountId,
      apiToken: config.cloudflareApiToken,
      serviceToken: { id: access.serviceTokenId, secret: access.serviceTokenSecret },
      secretsJson: pulumi.secret(secretsJson),
    },
    { dependsOn: [worker, access] },
  );

  // After the people policy changed, so nobody logs in again between the revocation and it.
  const serviceToken = { id: access.serviceTokenId, secret: access.serviceTokenSecret };
  const lockdown = new WorkerLockdown(
    "lockdown",
    {
      lockdown: config.lockdown,
      workerUrl,
      accountId,
      accessApplicationId: access.applicationId,
      apiToken: config.cloudflareApiToken,
      serviceToken,
    },
    { dependsOn: [access.peoplePolicy, secrets] },
  );
  new WorkerExposureCheck("exposure-check", { workerUrl, serviceToken }, { dependsOn: [lockdown] });

  if (config.billingAlert) {
    const email = config.billingAlert.email;
    const webhook = config.alertWebhook
      ? new cloudflare.NotificationPolicyWebhooks(
          "alert-webhook",
          { accountId, name: `clawkit ${config.workerName}`, url: config.alertWebhook },
          // The URL is the credential (an ntfy topic, a Slack or Discord hook).
          { additionalSecretOutputs: ["url"] },
        )
      : undefined;
    new cloudflare.NotificationPolicy("billing-alert", {
      accountId,
      name: `clawkit ${config.workerName} usage`,
      description: "Workers requests above the threshold clawkit was given",
      alertType: "billing_usage_alert",
      enabled: true,
      filters: { products: ["worker_requests"], limits: [String(config.billingAlert.requests)] },
      mechanisms: {
        emails: email ? [{ id: email }] : undefined,
        webhooks: webhook ? [{ id: webhook.id }] : undefined,
      },
    });
  }

  return {
    gatewayToken: token.value,
    workerUrl: pulumi.output(workerUrl),
    bucketName: storage.bucketName,
    accessServiceTokenId: access.serviceTokenId,
    accessServiceTokenSecret: access.serviceTokenSecret,
  };
}
