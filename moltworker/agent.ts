import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AccessGate } from "./accessGate";
import { BucketGuard } from "./bucketGuard";
import { WorkerExposureCheck } from "./workerExposureCheck";
import { GatewayToken } from "../core/gatewayToken";
import { ARG_NAMES, dnsLabel, plainArgProblems, refuseArgs, stateBucketName } from "../core/rules";
import { MOLTWORKER_INPUT_ARGS, MoltworkerAgentArgs } from "./args";
import { readCheckout } from "./checkout";
import { moltworkerProblems } from "./rules";
import { moltworkerSettings } from "./settings";
import { ModelGateway } from "./modelGateway";
import { WorkerDeploy } from "./workerDeploy";
import { WorkerLockdown } from "./workerLockdown";
import { WorkerSecrets } from "./workerSecrets";
import { r2Endpoint, WorkerStorage } from "./workerStorage";
import { renderWorkerSecrets, renderWranglerConfig } from "./wrangler-config";

export { MoltworkerAgentArgs } from "./args";

/**
 * One OpenClaw agent on Cloudflare's Moltworker: the bucket and its scoped token, the
 * worker deployed by wrangler, Access over the whole hostname (after the worker
 * exists), the AI Gateway when chosen, then the worker's secrets and a gateway restart,
 * the lockdown switch and the exposure check; a billing alert when asked (by email and
 * to the alert webhook); and a guard that keeps `pulumi destroy` from losing the
 * bucket. Its args are checked by the same rules as the `clawkit:` keys; a bad one
 * fails with a ResourceError naming it, before anything is registered.
 */
export class MoltworkerAgent extends pulumi.ComponentResource {
  /** The gateway's token (secret): the Control UI asks for it after Access lets you in. */
  public readonly gatewayToken: pulumi.Output<string>;
  /** The worker's URL, behind Cloudflare Access. */
  public readonly workerUrl: pulumi.Output<string>;
  /** The R2 bucket that holds the agent's state. */
  public readonly bucketName: pulumi.Output<string>;
  /** Client id of the Access service token for automation. */
  public readonly accessServiceTokenId: pulumi.Output<string>;
  /** Client secret of that service token (secret). */
  public readonly accessServiceTokenSecret: pulumi.Output<string>;

  constructor(name: string, args: MoltworkerAgentArgs, opts?: pulumi.ComponentResourceOptions) {
    refuseArgs("MoltworkerAgent", name, plainArgProblems(args, MOLTWORKER_INPUT_ARGS, ARG_NAMES));
    const checkout = args.moltworkerDir ? readCheckout(args.moltworkerDir) : undefined;
    // Refused before anything, this component included, is registered.
    refuseArgs("MoltworkerAgent", name, moltworkerProblems(args, ARG_NAMES, checkout));
    super("clawkit:index:MoltworkerAgent", name, {}, opts);
    const base = dnsLabel("openclaw", pulumi.getStack(), name);
    const settings = moltworkerSettings(
      args,
      { workerName: base, bucketName: stateBucketName(base) },
      checkout,
    );
    const accountId = settings.accountId;
    const hostname = settings.host.hostname;
    const workerUrl = `https://${hostname}`;

    const token = new GatewayToken(
      `${name}-gateway-token`,
      { rotation: settings.tokenRotation },
      { parent: this },
    );
    const storage = new WorkerStorage(
      `${name}-storage`,
      {
        accountId,
        bucketName: settings.bucketName,
        location: settings.bucketLocation,
        jurisdiction: settings.bucketJurisdiction,
        retainOnDestroy: settings.bucketOnDestroy === "keep",
      },
      { parent: this },
    );

    // Between the bucket and everything that uses it: on `pulumi destroy` it runs after
    // the worker is gone and before the bucket or its token is touched.
    const guard = new BucketGuard(
      `${name}-bucket-guard`,
      {
        bucketName: storage.bucketName,
        onDestroy: settings.bucketOnDestroy,
        endpoint: r2Endpoint(accountId, settings.bucketJurisdiction),
        credentials: { accessKeyId: storage.accessKeyId, secretAccessKey: storage.secretAccessKey },
      },
      { parent: this, dependsOn: [storage] },
    );

    const worker = new WorkerDeploy(
      `${name}-worker`,
      {
        dir: settings.moltworker.dir,
        workerName: settings.workerName,
        wranglerConfig: renderWranglerConfig(settings.moltworker.wranglerConfig, {
          workerName: settings.workerName,
          bucketName: settings.bucketName,
          bucketJurisdiction: settings.bucketJurisdiction,
          workersDev: settings.host.kind === "workers.dev",
        }),
        commit: settings.moltworker.commit,
        accountId,
        apiToken: settings.cloudflareApiToken,
      },
      { parent: this, dependsOn: [storage, guard] },
    );

    // On workers.dev, Access can only protect a worker that exists; a custom domain is
    // protected before it is attached, so the worker is never there without Access.
    const access = new AccessGate(
      `${name}-access`,
      {
        accountId,
        hostname,
        emails: settings.accessEmails,
        sessionDuration: settings.accessSessionDuration,
        oneTimePin: settings.accessOneTimePin,
        browserBypass: settings.browser,
        lockdown: settings.lockdown,
      },
      { parent: this, dependsOn: settings.host.kind === "workers.dev" ? [worker.deployed] : [] },
    );
    if (settings.host.kind === "custom") {
      new cloudflare.WorkersCustomDomain(
        `${name}-worker-domain`,
        { accountId, hostname, zoneId: settings.host.zoneId, service: settings.workerName },
        { parent: this, dependsOn: [worker, access] },
      );
    }

    const models = settings.aiGateway
      ? new ModelGateway(
          `${name}-models`,
          {
            accountId,
            gatewayId: settings.workerName,
            requestsPerMinute: settings.aiGatewayRateLimit,
          },
          { parent: this },
        )
      : undefined;

    const cdpSecret = settings.browser
      ? new random.RandomPassword(
          `${name}-browser-cdp-secret`,
          { length: 48, special: false, keepers: { rotation: settings.tokenRotation } },
          { parent: this, additionalSecretOutputs: ["result"] },
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
      settings.anthropicApiKey,
      settings.openaiApiKey,
      models?.gatewayId,
      settings.telegramBotToken,
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
            model: settings.model,
            anthropicApiKey,
            openaiApiKey,
            aiGatewayId,
            r2: { accessKeyId, secretAccessKey, bucket },
            telegramBotToken,
            browser: cdp ? { cdpSecret: cdp, workerUrl } : undefined,
          }),
      );

    const secrets = new WorkerSecrets(
      `${name}-worker-secrets`,
      {
        dir: settings.moltworker.dir,
        workerName: settings.workerName,
        workerUrl,
        accountId,
        apiToken: settings.cloudflareApiToken,
        serviceToken: { id: access.serviceTokenId, secret: access.serviceTokenSecret },
        secretsJson: pulumi.secret(secretsJson),
      },
      { parent: this, dependsOn: [worker, access] },
    );

    // After the people policy changed, so nobody logs in again between the revocation and it.
    const serviceToken = { id: access.serviceTokenId, secret: access.serviceTokenSecret };
    const lockdown = new WorkerLockdown(
      `${name}-lockdown`,
      {
        lockdown: settings.lockdown,
        workerUrl,
        accountId,
        accessApplicationId: access.applicationId,
        apiToken: settings.cloudflareApiToken,
        serviceToken,
      },
      { parent: this, dependsOn: [access.peoplePolicy, secrets] },
    );
    new WorkerExposureCheck(
      `${name}-exposure-check`,
      { workerUrl, serviceToken },
      { parent: this, dependsOn: [lockdown] },
    );

    if (settings.billingAlert) {
      const email = settings.billingAlert.email;
      const webhook = settings.alertWebhook
        ? new cloudflare.NotificationPolicyWebhooks(
            `${name}-alert-webhook`,
            { accountId, name: `clawkit ${settings.workerName}`, url: settings.alertWebhook },
            // The URL is the credential (an ntfy topic, a Slack or Discord hook).
            { parent: this, additionalSecretOutputs: ["url"] },
          )
        : undefined;
      new cloudflare.NotificationPolicy(
        `${name}-billing-alert`,
        {
          accountId,
          name: `clawkit ${settings.workerName} usage`,
          description: "Workers requests above the threshold clawkit was given",
          alertType: "billing_usage_alert",
          enabled: true,
          filters: {
            products: ["worker_requests"],
            limits: [String(settings.billingAlert.requests)],
          },
          mechanisms: {
            emails: email ? [{ id: email }] : undefined,
            webhooks: webhook ? [{ id: webhook.id }] : undefined,
          },
        },
        { parent: this },
      );
    }

    this.gatewayToken = token.value;
    this.workerUrl = pulumi.output(workerUrl);
    this.bucketName = storage.bucketName;
    this.accessServiceTokenId = access.serviceTokenId;
    this.accessServiceTokenSecret = access.serviceTokenSecret;
    this.registerOutputs({
      gatewayToken: this.gatewayToken,
      workerUrl: this.workerUrl,
      bucketName: this.bucketName,
      accessServiceTokenId: this.accessServiceTokenId,
      accessServiceTokenSecret: this.accessServiceTokenSecret,
    });
  }
}
