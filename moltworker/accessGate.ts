import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

/** Arguments of AccessGate. */
export interface AccessGateArgs {
  /** The Cloudflare account. */
  readonly accountId: string;
  /** The worker's whole hostname: every path behind it is protected. */
  readonly hostname: string;
  /** The people let in, by email. */
  readonly emails: readonly string[];
  /** How long an Access session lasts ("24h"). */
  readonly sessionDuration: string;
  /** Create a one-time-PIN identity provider and allow only it. */
  readonly oneTimePin: boolean;
  /** Let `/cdp` through without Access (it checks its own secret): only with the browser on. */
  readonly browserBypass: boolean;
  /** Lockdown: the people policy denies the listed people, so no person gets in (default false). */
  readonly lockdown?: boolean;
}

/**
 * Cloudflare Access in front of the worker's whole hostname: the listed people, and
 * one service token for the kit's own automation (restarting the gateway after a
 * rotation). Never "everyone"; the only bypass is `/cdp`, and only with the browser on.
 * In a lockdown the people policy denies the same people instead, in place (no other
 * policy allows a person), and the service token keeps working so the kit can undo it.
 */
export class AccessGate extends pulumi.ComponentResource {
  /** The application's audience tag: the worker checks Access JWTs against it. */
  public readonly aud: pulumi.Output<string>;
  /** The team's Access domain (`<team>.cloudflareaccess.com`): the JWT issuer. */
  public readonly teamDomain: pulumi.Output<string>;
  /** The automation service token's client id. */
  public readonly serviceTokenId: pulumi.Output<string>;
  /** The automation service token's client secret (secret). */
  public readonly serviceTokenSecret: pulumi.Output<string>;
  /** The application's id: a lockdown revokes the sessions it issued. */
  public readonly applicationId: pulumi.Output<string>;
  /** The people policy: a lockdown runs after it changed. */
  public readonly peoplePolicy: cloudflare.ZeroTrustAccessPolicy;

  constructor(name: string, args: AccessGateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkit:worker:AccessGate", name, args, opts);
    const accountId = args.accountId;
    const people = new cloudflare.ZeroTrustAccessPolicy(
      `${name}-people`,
      {
        accountId,
        name: `clawkit ${args.hostname} people`,
        decision: args.lockdown ? "deny" : "allow",
        includes: args.emails.map((email) => ({ email: { email } })),
        sessionDuration: args.sessionDuration,
      },
      { parent: this },
    );
    const serviceToken = new cloudflare.ZeroTrustAccessServiceToken(
      `${name}-automation-token`,
      { accountId, name: `clawkit ${args.hostname} automation`, duration: "8760h" },
      { parent: this, additionalSecretOutputs: ["clientSecret"] },
    );
    const automation = new cloudflare.ZeroTrustAccessPolicy(
      `${name}-automation`,
      {
        accountId,
        name: `clawkit ${args.hostname} automation`,
        decision: "non_identity",
        includes: [{ serviceToken: { tokenId: serviceToken.id } }],
      },
      { parent: this },
    );
    const otp = args.oneTimePin
      ? new cloudflare.ZeroTrustAccessIdentityProvider(
          `${name}-one-time-pin`,
          {
            accountId,
            name: `clawkit ${args.hostname} one-time PIN`,
            type: "onetimepin",
            config: {},
          },
          { parent: this },
        )
      : undefined;
    const app = new cloudflare.ZeroTrustAccessApplication(
      `${name}-app`,
      {
        accountId,
        name: `clawkit ${args.hostname}`,
        type: "self_hosted",
        domain: args.hostname,
        destinations: [{ type: "public", uri: args.hostname }],
        sessionDuration: args.sessionDuration,
        allowedIdps: otp ? [otp.id] : undefined,
        autoRedirectToIdentity: otp ? true : undefined,
        appLauncherVisible: false,
        httpOnlyCookieAttribute: true,
        sameSiteCookieAttribute: "lax",
        policies: [
          { id: people.id, precedence: 1 },
          { id: automation.id, precedence: 2 },
        ],
      },
      { parent: this },
    );
    if (args.browserBypass) {
      // moltworker's /cdp routes check CDP_SECRET themselves, and the container calls
      // them without Access credentials. A more specific application wins in Access.
      const bypass = new cloudflare.ZeroTrustAccessPolicy(
        `${name}-cdp-bypass`,
        {
          accountId,
          name: `clawkit ${args.hostname} /cdp`,
          decision: "bypass",
          includes: [{ everyone: {} }],
        },
        { parent: this },
      );
      new cloudflare.ZeroTrustAccessApplication(
        `${name}-cdp-app`,
        {
          accountId,
          name: `clawkit ${args.hostname} /cdp`,
          type: "self_hosted",
          domain: `${args.hostname}/cdp`,
          destinations: [{ type: "public", uri: `${args.hostname}/cdp` }],
          appLauncherVisible: false,
          policies: [{ id: bypass.id, precedence: 1 }],
        },
        { parent: this },
      );
    }
    this.aud = app.aud;
    this.teamDomain = cloudflare.getZeroTrustOrganizationOutput(
      { accountId },
      { parent: this },
    ).authDomain;
    this.serviceTokenId = serviceToken.clientId;
    this.serviceTokenSecret = pulumi.secret(serviceToken.clientSecret);
    this.applicationId = app.id;
    this.peoplePolicy = people;
    this.registerOutputs({
      applicationId: this.applicationId,
      aud: this.aud,
      teamDomain: this.teamDomain,
      serviceTokenId: this.serviceTokenId,
    });
  }
}
