import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { installMocks } from "../support/mocks";
import { moltworkerConfig, TEST_SECRETS } from "../support/config";
import {
  allViolations,
  buildMoltworker,
  buildVps,
  Graphed,
  mutated,
} from "../support/policy-graph";
import { ROOT } from "../support/tools";
import * as pack from "../../policy/policies";

const POLICY_DIR = path.join(ROOT, "policy");

describe("policy pack: the kit's invariants on any program (mocks) [W13]", function () {
  let vps: Graphed[];
  let moltworker: Graphed[];
  before(async function () {
    await installMocks();
    vps = await buildVps();
    moltworker = await buildMoltworker();
  });

  it("the kit's own graphs (vps and moltworker) pass every policy, and each policy has resources to judge", async function () {
    assert.deepStrictEqual(await allViolations(vps), []);
    assert.deepStrictEqual(await allViolations(moltworker), []);
    const types = new Set([...vps, ...moltworker].map((r) => r.type));
    for (const type of [
      "hcloud:index/firewall:Firewall",
      "hcloud:index/server:Server",
      "tailscale:index/tailnetKey:TailnetKey",
      "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy",
      "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication",
      "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle",
      "cloudflare:index/accountToken:AccountToken",
      "command:local:Command",
      "command:remote:Command",
    ]) {
      assert.ok(types.has(type), type);
    }
  });

  it("an inbound rule on the firewall fails hcloud-firewall-no-inbound [R1, W13]", async function () {
    const graph = mutated(vps, "hcloud:index/firewall:Firewall", (inputs) => {
      inputs.rules = [{ direction: "in", protocol: "tcp", port: "22", sourceIps: ["0.0.0.0/0"] }];
    });
    assert.deepStrictEqual(await allViolations(graph), [
      'hcloud-firewall-no-inbound: inbound rule for tcp port 22 from ["0.0.0.0/0"]; remove it',
    ]);
  });

  it("a server without firewallIds fails hcloud-server-firewall-at-creation [R1, W13]", async function () {
    const graph = mutated(vps, "hcloud:index/server:Server", (inputs) => {
      delete inputs.firewallIds;
    });
    assert.deepStrictEqual(await allViolations(graph), [
      "hcloud-server-firewall-at-creation: no firewallIds; give it firewallIds: [firewall.id.apply(Number)]",
    ]);
  });

  it("user-data not marked secret fails hcloud-server-user-data-secret [S2, W13]", async function () {
    const graph = mutated(vps, "hcloud:index/server:Server", (_inputs, r) => {
      (r as { additionalSecretOutputs: string[] }).additionalSecretOutputs = [];
    });
    assert.deepStrictEqual(await allViolations(graph), [
      'hcloud-server-user-data-secret: userData is not marked secret; add additionalSecretOutputs: ["userData"]',
    ]);
  });

  it("a reusable or long-lived tailnet key fails tailscale-key-one-off [R9, W13]", async function () {
    const reusable = mutated(vps, "tailscale:index/tailnetKey:TailnetKey", (inputs) => {
      inputs.reusable = true;
    });
    assert.deepStrictEqual(await allViolations(reusable), [
      "tailscale-key-one-off: reusable is true; set reusable: false",
    ]);
    const unset = mutated(vps, "tailscale:index/tailnetKey:TailnetKey", (inputs) => {
      delete inputs.expiry;
    });
    assert.match(
      (await allViolations(unset)).join("\n"),
      /^tailscale-key-one-off: expiry is unset/,
    );
    const week = mutated(vps, "tailscale:index/tailnetKey:TailnetKey", (inputs) => {
      inputs.expiry = 7 * 24 * 3600;
    });
    assert.strictEqual((await allViolations(week)).length, 1);
  });

  it("everyone, an email domain or an IP range in an Access include fails access-never-everyone [M1, W13]", async function () {
    for (const include of [
      { everyone: {} },
      { emailDomain: { domain: "example.com" } },
      { ip: { ip: "0.0.0.0/0" } },
    ]) {
      const graph = mutated(
        moltworker,
        "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy",
        (inputs) => {
          (inputs.includes as unknown[]).push(include);
        },
        "openclaw-access-people",
      );
      const found = await allViolations(graph);
      assert.strictEqual(found.length, 1, found.join("\n"));
      assert.match(
        found[0],
        new RegExp(
          `^access-never-everyone: includes ${Object.keys(include)[0]};.*\\(openclaw-access-people\\)$`,
        ),
      );
    }
  });

  it("the /cdp bypass passes only as a bypass used by the /cdp application alone [M2, W13]", async function () {
    const browser = await buildMoltworker({ "clawkit:browser": "true" });
    assert.deepStrictEqual(await allViolations(browser), []);
    const allowEveryone = mutated(
      browser,
      "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy",
      (inputs) => {
        inputs.decision = "allow";
      },
      "openclaw-access-cdp-bypass",
    );
    assert.match(
      (await allViolations(allowEveryone)).join("\n"),
      /^access-never-everyone: includes everyone/,
    );
    const wholeHost = mutated(
      browser,
      "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication",
      (inputs) => {
        inputs.domain = String(inputs.domain).replace(/\/cdp$/, "");
        inputs.destinations = [{ type: "public", uri: inputs.domain }];
      },
      "openclaw-access-cdp-app",
    );
    assert.match(
      (await allViolations(wholeHost)).join("\n"),
      /^access-never-everyone: includes everyone/,
    );
  });

  it("an Access application over a path fails access-app-whole-hostname [M1, W13]", async function () {
    const graph = mutated(
      moltworker,
      "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication",
      (inputs) => {
        inputs.domain = `${String(inputs.domain)}/admin`;
        inputs.destinations = [];
      },
    );
    const found = await allViolations(graph);
    assert.strictEqual(found.length, 1, found.join("\n"));
    assert.match(found[0], /^access-app-whole-hostname: covers only \S+\/admin:/);
  });

  it("a lifecycle rule expiring openclaw/ (or every prefix) fails r2-lifecycle-keeps-live-state [M5, W13]", async function () {
    for (const prefix of ["openclaw/", "", "workspace/notes/"]) {
      const graph = mutated(
        moltworker,
        "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle",
        (inputs) => {
          (inputs.rules as unknown[]).push({
            id: "expire",
            enabled: true,
            conditions: { prefix },
            deleteObjectsTransition: { condition: { type: "Age", maxAge: 86400 } },
          });
        },
      );
      const found = await allViolations(graph);
      assert.strictEqual(found.length, 1, `${prefix}: ${found.join("\n")}`);
      assert.match(found[0], /^r2-lifecycle-keeps-live-state: rule expire deletes objects under/);
    }
    const elsewhere = mutated(
      moltworker,
      "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle",
      (inputs) => {
        (inputs.rules as unknown[]).push({
          id: "expire-exports",
          enabled: true,
          conditions: { prefix: "exports/" },
          deleteObjectsTransition: { condition: { type: "Age", maxAge: 86400 } },
        });
      },
    );
    assert.deepStrictEqual(await allViolations(elsewhere), []);
  });

  it("an account-wide or two-bucket token fails r2-token-one-bucket [M4, W13]", async function () {
    const accountId = moltworkerConfig()["clawkit:cloudflareAccountId"];
    for (const resources of [
      { [`com.cloudflare.api.account.${accountId}`]: "*" },
      {
        [`com.cloudflare.edge.r2.bucket.${accountId}_default_a-bucket`]: "*",
        [`com.cloudflare.edge.r2.bucket.${accountId}_default_b-bucket`]: "*",
      },
      { [`com.cloudflare.edge.r2.bucket.${accountId}_default_*`]: "*" },
    ]) {
      const graph = mutated(moltworker, "cloudflare:index/accountToken:AccountToken", (inputs) => {
        (inputs.policies as Record<string, unknown>[])[0].resources = JSON.stringify(resources);
      });
      const found = await allViolations(graph);
      assert.strictEqual(found.length, 1, found.join("\n"));
      assert.match(found[0], /^r2-token-one-bucket: a policy reaches /);
    }
  });

  it("a secret in a command's environment or command line fails command-no-secret-in-argv-or-env [S2, M6, W13]", async function () {
    const byShape = mutated(
      vps,
      "command:remote:Command",
      (inputs) => {
        inputs.environment = { ANTHROPIC_API_KEY: TEST_SECRETS.anthropicApiKey };
      },
      "openclaw-host-provision",
    );
    assert.deepStrictEqual(await allViolations(byShape), [
      "command-no-secret-in-argv-or-env: environment.ANTHROPIC_API_KEY holds an Anthropic or OpenAI API key; pass it on stdin (openclaw-host-provision)",
    ]);
    // The API token has no recognisable shape: it is known secret because it travels on
    // another command's stdin, which that command marks secret.
    const byGraph = mutated(
      moltworker,
      "command:local:Command",
      (inputs) => {
        inputs.create = `${String(inputs.create)} --token ${TEST_SECRETS.cloudflareApiToken}`;
      },
      "openclaw-worker-wrangler",
    );
    assert.deepStrictEqual(await allViolations(byGraph), [
      "command-no-secret-in-argv-or-env: create holds a value the stack keeps secret; pass it on stdin (openclaw-worker-wrangler)",
    ]);
  });

  describe("served by @pulumi/policy's analyzer server, as `pulumi up --policy-pack policy` runs it", function () {
    // The pack's own copies: the analyzer protocol of its @pulumi/pulumi, that package's gRPC.
    const protoDir = path.dirname(
      require.resolve("@pulumi/pulumi/proto/analyzer_pb", {
        paths: [path.dirname(require.resolve("@pulumi/policy", { paths: [POLICY_DIR] }))],
      }),
    );
    /* eslint-disable @typescript-eslint/no-require-imports */
    const analyzer = require(path.join(protoDir, "analyzer_pb"));
    const { AnalyzerClient } = require(path.join(protoDir, "analyzer_grpc_pb"));
    const { Struct } = require(
      require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [protoDir] }),
    );
    const { Empty } = require(
      require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [protoDir] }),
    );
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [protoDir] }));
    /* eslint-enable @typescript-eslint/no-require-imports */
    let server: ChildProcess;
    let client: Record<string, (req: unknown, cb: (err: Error | null, res: never) => void) => void>;

    before(async function () {
      server = spawn(
        process.execPath,
        ["-r", require.resolve("ts-node/register/transpile-only"), "index.ts"],
        {
          cwd: POLICY_DIR,
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let stderr = "";
      server.stderr!.on("data", (d) => (stderr += d));
      const port = await new Promise<string>((resolve, reject) => {
        server.stdout!.once("data", (d) => resolve(String(d).trim()));
        server.once("exit", (code) => reject(new Error(`the pack exited ${code}: ${stderr}`)));
      });
      client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });
    after(function () {
      (client as unknown as { close(): void } | undefined)?.close();
      server?.kill();
    });

    const rpc = <T>(method: string, request: unknown) =>
      new Promise<T>((resolve, reject) =>
        client[method](request, (err, res) => (err ? reject(err) : resolve(res as T))),
      );

    function withResource<T extends { setType(t: string): void }>(message: T, r: Graphed): T {
      const m = message as unknown as Record<string, (v: unknown) => void>;
      m.setType(r.type);
      m.setName(r.name);
      m.setUrn(r.urn);
      m.setProperties(Struct.fromJavaScript(r.inputs));
      const options = new analyzer.AnalyzerResourceOptions();
      options.setAdditionalsecretoutputsList(r.additionalSecretOutputs);
      m.setOptions(options);
      return message;
    }

    interface Diagnostic {
      getPolicyname(): string;
      getPolicypackname(): string;
      getEnforcementlevel(): number;
      getMessage(): string;
      getUrn(): string;
    }
    const seen = (d: Diagnostic) =>
      `${d.getPolicypackname()}/${d.getPolicyname()} ${d.getEnforcementlevel() === analyzer.EnforcementLevel.MANDATORY ? "mandatory" : "advisory"}`;

    async function analyzeStack(graph: Graphed[]): Promise<Diagnostic[]> {
      const request = new analyzer.AnalyzeStackRequest();
      request.setResourcesList(
        graph.map((r) => {
          const resource = withResource(new analyzer.AnalyzerResource(), r);
          resource.setDependenciesList(r.dependencies);
          return resource;
        }),
      );
      return (
        await rpc<{ getDiagnosticsList(): Diagnostic[] }>("analyzeStack", request)
      ).getDiagnosticsList();
    }

    async function analyzeEach(graph: Graphed[]): Promise<Diagnostic[]> {
      const found: Diagnostic[] = [];
      for (const r of graph) {
        const response = await rpc<{ getDiagnosticsList(): Diagnostic[] }>(
          "analyze",
          withResource(new analyzer.AnalyzeRequest(), r),
        );
        found.push(...response.getDiagnosticsList());
      }
      return found;
    }

    it("the pack lists its nine policies, each mandatory", async function () {
      const info = await rpc<{
        getName(): string;
        getPoliciesList(): { getName(): string; getEnforcementlevel(): number }[];
      }>("getAnalyzerInfo", new Empty());
      assert.strictEqual(info.getName(), pack.PACK_NAME);
      assert.deepStrictEqual(
        info.getPoliciesList().map((p) => `${p.getName()} ${p.getEnforcementlevel()}`),
        pack.POLICIES.map((p) => `${p.name} ${analyzer.EnforcementLevel.MANDATORY}`),
      );
    });

    it("the kit's graphs pass, resource by resource and as a stack; a mutated copy is refused, mandatory, naming the policy and the resource [S2, R1, W13]", async function () {
      for (const graph of [vps, moltworker]) {
        assert.deepStrictEqual((await analyzeEach(graph)).map(seen), []);
        assert.deepStrictEqual((await analyzeStack(graph)).map(seen), []);
      }
      const inbound = mutated(vps, "hcloud:index/firewall:Firewall", (inputs) => {
        inputs.rules = [{ direction: "in", protocol: "tcp", port: "22", sourceIps: ["0.0.0.0/0"] }];
      });
      const [firewall] = await analyzeEach(inbound);
      assert.strictEqual(seen(firewall), "clawkit/hcloud-firewall-no-inbound mandatory");
      assert.match(firewall.getMessage(), /inbound rule for tcp port 22/);
      const leak = mutated(
        vps,
        "command:remote:Command",
        (inputs) => {
          inputs.environment = { KEY: TEST_SECRETS.openaiApiKey };
        },
        "openclaw-host-provision",
      );
      const found = await analyzeStack(leak);
      assert.deepStrictEqual(found.map(seen), [
        "clawkit/command-no-secret-in-argv-or-env mandatory",
      ]);
      assert.match(found[0].getUrn(), /::openclaw-host-provision$/);
      assert.ok(
        !found[0].getMessage().includes(TEST_SECRETS.openaiApiKey),
        "the message names no secret",
      );
    });

    it("a policy config file's level reaches the diagnostics: advisory reports, disabled is silent", async function () {
      const inbound = mutated(vps, "hcloud:index/firewall:Firewall", (inputs) => {
        inputs.rules = [{ direction: "in", protocol: "udp", port: "41641", sourceIps: ["::/0"] }];
      });
      const configure = async (level: number) => {
        const request = new analyzer.ConfigureAnalyzerRequest();
        const config = new analyzer.PolicyConfig();
        config.setEnforcementlevel(level);
        config.setProperties(Struct.fromJavaScript({}));
        request.getPolicyconfigMap().set("hcloud-firewall-no-inbound", config);
        await rpc("configure", request);
      };
      await configure(analyzer.EnforcementLevel.ADVISORY);
      assert.deepStrictEqual((await analyzeEach(inbound)).map(seen), [
        "clawkit/hcloud-firewall-no-inbound advisory",
      ]);
      await configure(analyzer.EnforcementLevel.DISABLED);
      assert.deepStrictEqual((await analyzeEach(inbound)).map(seen), []);
      await configure(analyzer.EnforcementLevel.MANDATORY);
      assert.deepStrictEqual((await analyzeEach(inbound)).map(seen), [
        "clawkit/hcloud-firewall-no-inbound mandatory",
      ]);
    });
  });
});
