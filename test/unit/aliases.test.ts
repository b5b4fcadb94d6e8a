import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { program } from "../../program/program";
import { baseConfig, moltworkerConfig, sourceOf, TEST_SECRETS } from "../support/config";
import {
  computeAliasesInSdk,
  filler,
  installMocks,
  registered,
  Registration,
  registrations,
  settle,
  unwrap,
} from "../support/mocks";

/** What the program at the last commit before components registered (recorded under these mocks). */
const LEGACY: {
  fields: string[];
  programs: { name: string; urns: string[]; inputs: Record<string, Record<string, unknown>> }[];
} = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "legacy-urns.json"), "utf8"));

/** The configurations the legacy URNs were recorded with: every optional resource of each shape. */
const CONFIGS: Record<string, Record<string, string | undefined>> = {
  vps: {
    ...baseConfig(),
    "clawkit:openaiApiKey": TEST_SECRETS.openaiApiKey,
    "clawkit:alertWebhook": "https://ntfy.sh/clawkit-test-topic",
    "clawkit:alertTelegramChats": '["123456789"]',
    "clawkit:lockdown": "true",
  },
  "moltworker-custom-domain": {
    ...moltworkerConfig(),
    "clawkit:workersSubdomain": undefined,
    "clawkit:customDomain": "agent.example.com",
    "clawkit:zoneId": "fedcba9876543210fedcba9876543210",
    "clawkit:aiGateway": "true",
    "clawkit:browser": "true",
    "clawkit:billingAlertEmail": "alice@example.com",
    "clawkit:alertWebhook": "https://ntfy.sh/clawkit-test-topic",
  },
  "moltworker-workers-dev": moltworkerConfig(),
};

/** Every registration of one run of the program, with its inputs. */
async function run(
  values: Record<string, string | undefined>,
): Promise<(Registration & { inputs: Record<string, unknown> })[]> {
  const [start, inputsStart] = [registrations.length, registered.length];
  program(sourceOf(values as Record<string, string>), "dev");
  await settle();
  const inputs = new Map(
    registered.slice(inputsStart).map((r) => [`${r.type}::${r.name}`, unwrap(r.inputs)]),
  );
  const typeAndName = (urn: string) =>
    `${urn.split("::")[2].split("$").pop()}::${urn.split("::")[3]}`;
  return registrations.slice(start).map((r) => ({
    ...r,
    inputs: (inputs.get(typeAndName(r.urn)) ?? {}) as Record<string, unknown>,
  }));
}

/** The mocks' id of a resource (test/support/mocks.ts: a hash of its type and name). */
const mockId = (urn: string) =>
  String(
    100000 +
      (parseInt(filler(`${urn.split("::")[2].split("$").pop()}${urn.split("::")[3]}`, 6), 36) %
        900000),
  );

/** For each legacy URN, the new resources that answer to it (by URN or alias). */
function claims(legacy: readonly string[], now: readonly Registration[]): Map<string, string[]> {
  return new Map(
    legacy.map((old) => [
      old,
      now.filter((r) => r.urn === old || r.aliases.includes(old)).map((r) => r.urn),
    ]),
  );
}

describe("upgrade: a stack made before the components moves onto them without a replacement (mocks, SDK-computed aliases)", function () {
  before(async function () {
    await installMocks();
    computeAliasesInSdk();
  });

  it("the legacy fixture is the program before components: every resource at the top level or one below", function () {
    assert.strictEqual(LEGACY.programs.length, Object.keys(CONFIGS).length);
    for (const { urns } of LEGACY.programs) {
      assert.ok(urns.length >= 20);
      for (const urn of urns) assert.ok(urn.split("::")[2].split("$").length <= 2, urn);
    }
  });

  for (const { name, urns } of LEGACY.programs) {
    it(`${name}: every URN the old program registered is answered by exactly one resource of the new one`, async function () {
      const now = await run(CONFIGS[name]);
      for (const [old, owners] of claims(urns, now))
        assert.deepStrictEqual(
          owners.length,
          1,
          `${old} is answered by ${owners.length}: ${owners.join(", ")}`,
        );
      // Every alias of a resource's own type names a resource the old program had: none
      // is a guess. (Providers add aliases for their own renamed types, which differ.)
      const legacy = new Set(urns);
      const typeOf = (urn: string) => urn.split("::")[2].split("$").pop();
      for (const r of now)
        for (const alias of r.aliases.filter((a) => typeOf(a) === typeOf(r.urn)))
          assert.ok(legacy.has(alias), `${r.urn} claims ${alias}`);
    });
  }

  for (const { name, urns, inputs } of LEGACY.programs) {
    it(`${name}: no input that could replace a resource changes (names, types, sizes, locations, keepers, triggers)`, async function () {
      const now = await run(CONFIGS[name]);
      const owner = claims(urns, now);
      // The mocks' ids follow the names; the engine keeps each resource's id across an alias.
      const idOwner = new Map(
        now.map((r) => [mockId(r.urn), [...owner].find(([, o]) => o[0] === r.urn)?.[0]]),
      );
      for (const [old, expected] of Object.entries(inputs)) {
        const resource = now.find((r) => r.urn === owner.get(old)?.[0]);
        assert.ok(resource, old);
        // A command's triggers replace it, which only matters when replacing runs a delete
        // step; with an update step they update it in place (WorkerDeploy), and without a
        // delete step a replacement only runs it again (provisioning on a new bundle).
        const harmlessTriggers =
          resource.inputs.delete === undefined || resource.inputs.update !== undefined;
        const fields = LEGACY.fields.filter((f) => !(f === "triggers" && harmlessTriggers));
        const picked = Object.fromEntries(
          fields
            .filter((f) => resource.inputs[f] !== undefined)
            .map((f) => [f, resource.inputs[f]]),
        );
        const { triggers, ...rest } = expected;
        const compared = harmlessTriggers || triggers === undefined ? rest : { ...rest, triggers };
        const named = JSON.parse(JSON.stringify(picked), (_k, v) =>
          typeof v === "string" && idOwner.get(v) ? `id of ${idOwner.get(v)}` : v,
        );
        assert.deepStrictEqual(named, compared, old);
      }
    });
  }

  it("the aliases have teeth: without them the old URNs are orphans, and Pulumi would replace the server", async function () {
    const now = (await run(CONFIGS.vps)).map((r) => ({ urn: r.urn, aliases: [] }));
    const orphans = [...claims(LEGACY.programs[0].urns, now)].filter(([, o]) => o.length === 0);
    assert.strictEqual(orphans.length, LEGACY.programs[0].urns.length);
  });

  it("in a map, the agent named openclaw takes the old resources and no other agent claims any", async function () {
    const values = {
      ...CONFIGS.vps,
      "clawkit:agents": JSON.stringify({ openclaw: {}, work: {} }),
    };
    const now = await run(values);
    const legacy = LEGACY.programs.find((p) => p.name === "vps")!.urns;
    for (const [old, owners] of claims(legacy, now)) {
      assert.strictEqual(owners.length, 1, old);
      assert.ok(!owners[0].includes("::work"), `${old} is claimed by ${owners[0]}`);
    }
    assert.ok(now.some((r) => r.urn.endsWith("::work-host-server")));
  });
});
