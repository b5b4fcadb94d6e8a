import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { packBundle, renderBundle } from "../../vps/host/bundle";
import { renderAlertUnit } from "../../vps/host/alerts";
import { renderCredentialGatewayUnit } from "../../vps/host/credential-gateway";
import { renderGatewayUnit } from "../../vps/host/gateway-unit";
import { renderLockdownIncludes } from "../../vps/host/lockdown";
import { HOST } from "../../vps/host/paths";
import { egressAllowlist, renderProxyConfig } from "../../vps/host/proxy";
import { renderSshdConfig } from "../../vps/host/sshd";
import { renderUserData, USER_DATA_BUDGET } from "../../vps/host/userdata";
import { DOC_FIGURES, MAX_UNIT_EXPOSURE, readDocs, statedValues } from "../support/doc-figures";
import { sampleSettings, sampleUserDataOptions } from "../support/samples";
import {
  command,
  file,
  inPrivateMounts,
  NODE24,
  requirePrerequisites,
  ROOT,
  rootUser,
  run,
  tempDir,
} from "../support/tools";

describe("artifacts: cloud-config through cloud-init's own schema", function () {
  before(function () {
    requirePrerequisites(this, command("cloud-init"));
  });

  it("the rendered user-data is valid cloud-config, and under the kit's budget", function () {
    const tmp = tempDir("userdata");
    try {
      const userData = renderUserData(sampleUserDataOptions());
      const target = path.join(tmp.dir, "user-data");
      fs.writeFileSync(target, userData);
      const result = run("cloud-init", ["schema", "--config-file", target]);
      assert.strictEqual(result.status, 0, result.stdout + result.stderr);
      assert.match(result.stdout + result.stderr, /Valid cloud-config/);
      assert.ok(
        Buffer.byteLength(userData) < USER_DATA_BUDGET,
        `${Buffer.byteLength(userData)} bytes`,
      );
    } finally {
      tmp.remove();
    }
  });

  it("the schema check is not a rubber stamp: a broken document fails it", function () {
    const tmp = tempDir("userdata-bad");
    try {
      const target = path.join(tmp.dir, "user-data");
      fs.writeFileSync(
        target,
        renderUserData(sampleUserDataOptions()).replace(
          '"lock_passwd": true',
          '"lock_passwd": "maybe"',
        ),
      );
      assert.notStrictEqual(run("cloud-init", ["schema", "--config-file", target]).status, 0);
    } finally {
      tmp.remove();
    }
  });
});

describe("artifacts: every shipped shell script through shellcheck", function () {
  before(function () {
    requirePrerequisites(this, command("shellcheck"));
  });

  const scripts = fs
    .readdirSync(path.join(ROOT, "vps", "host", "scripts"))
    .filter((f) => f.endsWith(".sh"));
  it("finds the scripts", () => assert.ok(scripts.length >= 6, scripts.join(",")));
  for (const script of scripts) {
    it(script, function () {
      const result = run("shellcheck", ["--shell=sh", "--severity=style", "-x", script], {
        cwd: path.join(ROOT, "vps", "host", "scripts"),
      });
      assert.strictEqual(result.status, 0, result.stdout);
    });
  }
  const kitScripts = [
    ".ci/run",
    ...fs
      .readdirSync(path.join(ROOT, "test", "system"))
      .filter((f) => f.endsWith(".sh"))
      .map((f) => `test/system/${f}`),
    "test/system/fakes/tailscale",
    "test/support/agent-turn.sh",
    ...fs
      .readdirSync(path.join(ROOT, "moltworker"))
      .filter((f) => f.endsWith(".sh"))
      .map((f) => `moltworker/${f}`),
    ...fs
      .readdirSync(path.join(ROOT, "scripts"))
      .filter((f) => f.endsWith(".sh"))
      .map((f) => `scripts/${f}`),
  ];
  for (const script of kitScripts) {
    it(script, function () {
      const result = run("shellcheck", ["--severity=style", "-x", script], { cwd: ROOT });
      assert.strictEqual(result.status, 0, result.stdout);
    });
  }
});

/**
 * The units clawkit ships with a sandbox, how the README and the threat map name their
 * score, and the threat map's row whose control the sandbox is.
 */
const SANDBOXED_UNITS = [
  { name: HOST.gatewayUnit, render: renderGatewayUnit, label: "gateway unit", row: "A9" },
  {
    name: HOST.credentialGatewayUnit,
    render: renderCredentialGatewayUnit,
    label: "credential gateway unit",
    row: "S5",
  },
  { name: HOST.alertUnit, render: renderAlertUnit, label: "alert watcher unit", row: "W8" },
] as const;

for (const u of SANDBOXED_UNITS) {
  describe(`artifacts: the ${u.label} through systemd-analyze [${u.row}]`, function () {
    let tmp: ReturnType<typeof tempDir>;
    let unit: string;
    before(function () {
      requirePrerequisites(
        this,
        command("systemd-analyze"),
        command("unshare"),
        rootUser(),
        file("node 24", NODE24, "scripts/install-node-deps.sh"),
        file("nginx", "/usr/sbin/nginx", "run .ci/run (it installs every test tool)"),
      );
      tmp = tempDir("unit");
      unit = path.join(tmp.dir, u.name);
      fs.writeFileSync(unit, u.render());
    });
    after(() => tmp?.remove());

    it("verifies cleanly (ExecStart resolved in a private mount namespace, the host's /opt untouched)", function () {
      // The gateway unit names /opt/clawkit/node/node; a tmpfs over /opt in a throwaway
      // mount namespace holds a link to the pinned Node 24 for the check.
      const setup = `mount -t tmpfs tmpfs /opt; mkdir -p ${path.dirname(HOST.nodeBinary)}; ln -s ${NODE24} ${HOST.nodeBinary}`;
      const result = inPrivateMounts(setup, ["systemd-analyze", "verify", unit]);
      assert.strictEqual(result.status, 0, result.stdout + result.stderr);
      assert.strictEqual(result.stderr.trim(), "");
    });

    it(`rates an exposure of at most ${MAX_UNIT_EXPOSURE} in systemd-analyze security --offline`, function () {
      const result = run("systemd-analyze", ["security", "--offline=true", "--no-pager", unit]);
      const match = /Overall exposure level for \S+: ([0-9.]+)/.exec(result.stdout);
      assert.ok(match, result.stdout + result.stderr);
      const score = Number(match[1]);
      console.log(`      exposure score: ${score}`);
      assert.ok(score <= MAX_UNIT_EXPOSURE, `exposure ${score} > ${MAX_UNIT_EXPOSURE}`);
      // The README and the threat map quote it (the docs test finds every place): this one.
      const figure = DOC_FIGURES.find((f) => f.name === `${u.label} exposure`);
      assert.ok(figure, `test/support/doc-figures.ts has no figure "${u.label} exposure"`);
      const stated = statedValues(readDocs(), figure).flatMap((p) => p.found);
      assert.ok(stated.length > 0, `the docs never state the ${u.label}'s score`);
      for (const s of stated)
        assert.strictEqual(s.value, match[1], `${s.doc}:${s.line} quotes another score`);
    });

    it("the score check has teeth: stripping the sandbox raises it above the limit", function () {
      const weak = path.join(tmp.dir, "weak.service");
      const stripped = u
        .render()
        .split("\n")
        .filter(
          (l) =>
            !/^(Protect|Private|Restrict|SystemCall|Capability|NoNewPrivileges|IPAddress)/.test(l),
        )
        .join("\n");
      fs.writeFileSync(weak, stripped);
      const result = run("systemd-analyze", ["security", "--offline=true", "--no-pager", weak]);
      const score = Number(/Overall exposure level for \S+: ([0-9.]+)/.exec(result.stdout)?.[1]);
      assert.ok(score > MAX_UNIT_EXPOSURE, `stripped unit still scores ${score}`);
    });
  });
}

describe("artifacts: the first-boot shred unit through systemd-analyze [R9]", function () {
  before(function () {
    requirePrerequisites(this, command("systemd-analyze"));
  });
  it("verifies cleanly", function () {
    const shredUnit = path.join(ROOT, "vps", "host", "files", "clawkit-shred-userdata.service");
    const result = run("systemd-analyze", ["verify", shredUnit]);
    assert.strictEqual(result.status, 0, result.stderr);
  });
});

describe("artifacts: the sshd drop-in through sshd -t and sshd -T [R8]", function () {
  before(function () {
    requirePrerequisites(
      this,
      file("sshd", "/usr/sbin/sshd", "apt-get install openssh-server"),
      rootUser(),
      file("host key", "/etc/ssh/ssh_host_ed25519_key", "apt-get install openssh-server"),
    );
  });

  function effective(): Map<string, string> {
    const tmp = tempDir("sshd");
    try {
      const conf = path.join(tmp.dir, "sshd_config");
      fs.writeFileSync(conf, renderSshdConfig({ adminUser: "clawadmin" }));
      // sshd wants its privilege separation directory; make it on a tmpfs in a
      // throwaway mount namespace rather than on this machine's /run.
      const inNamespace = (...args: string[]) =>
        inPrivateMounts("mount -t tmpfs tmpfs /run; mkdir /run/sshd", args);
      const test = inNamespace("/usr/sbin/sshd", "-t", "-f", conf);
      assert.strictEqual(test.status, 0, test.stderr);
      const dump = inNamespace(
        "/usr/sbin/sshd",
        "-T",
        "-f",
        conf,
        "-C",
        "user=clawadmin,host=operator,addr=100.64.0.2",
      );
      assert.strictEqual(dump.status, 0, dump.stderr);
      return new Map(
        dump.stdout
          .split("\n")
          .filter(Boolean)
          .map((l) => [l.split(" ")[0], l.slice(l.indexOf(" ") + 1)]),
      );
    } finally {
      tmp.remove();
    }
  }

  it("keys only, no root, no forwarding, few tries (dev-sec ssh-baseline)", function () {
    const config = effective();
    const expected: Record<string, string> = {
      permitrootlogin: "no",
      passwordauthentication: "no",
      kbdinteractiveauthentication: "no",
      pubkeyauthentication: "yes",
      authenticationmethods: "publickey",
      permitemptypasswords: "no",
      maxauthtries: "3",
      x11forwarding: "no",
      allowtcpforwarding: "no",
      allowagentforwarding: "no",
      allowstreamlocalforwarding: "no",
      permittunnel: "no",
      gatewayports: "no",
      permituserenvironment: "no",
      allowusers: "clawadmin",
    };
    for (const [key, value] of Object.entries(expected))
      assert.strictEqual(config.get(key), value, key);
    assert.ok(
      !/cbc|sha1|diffie-hellman-group1/.test(
        [config.get("ciphers"), config.get("macs"), config.get("kexalgorithms")].join(","),
      ),
    );
  });
});

describe("artifacts: the proxy config through squid -k parse [A2]", function () {
  before(function () {
    requirePrerequisites(
      this,
      file("squid", "/usr/sbin/squid", "apt-get install squid"),
      rootUser(),
    );
  });

  // The default configuration has no extra host: then squid refuses everything.
  for (const [title, hosts, lockdown] of [
    ["with the operator's extra hosts", sampleSettings().egressAllowlist, false],
    ["with none (the default)", [], false],
    ["locked down", sampleSettings().egressAllowlist, true],
  ] as const) {
    it(`squid accepts the rendered config, ${title}`, function () {
      const tmp = tempDir("squid");
      try {
        const conf = path.join(tmp.dir, "squid.conf");
        // The list of the host's own addresses as proxy-self.sh writes it on a host.
        const self = path.join(tmp.dir, "clawkit-self.acl");
        fs.writeFileSync(
          self,
          "127.0.0.1\n203.0.113.10\n2001:db8:1::10\n64:ff9b::cb00:710a\n::1\n",
        );
        const include = path.join(tmp.dir, "clawkit-lockdown.conf");
        fs.writeFileSync(include, renderLockdownIncludes(lockdown).proxy);
        // The alert list as secrets-apply.sh writes it: the webhook's host, or empty.
        const alert = path.join(tmp.dir, "clawkit-alert.acl");
        fs.writeFileSync(alert, hosts.length > 0 ? "alerts.example.org\n" : "");
        const rendered = renderProxyConfig(egressAllowlist(hosts));
        assert.ok(rendered.includes(`"${HOST.proxySelfAddresses}"`));
        assert.ok(rendered.includes(`"${HOST.alertProxyAcl}"`));
        assert.ok(rendered.includes(`include ${HOST.proxyLockdownInclude}`));
        fs.writeFileSync(
          conf,
          rendered
            .replace(HOST.proxySelfAddresses, self)
            .replace(HOST.alertProxyAcl, alert)
            .replace(HOST.proxyLockdownInclude, include),
        );
        const result = run("/usr/sbin/squid", ["-k", "parse", "-f", conf]);
        assert.strictEqual(result.status, 0, result.stderr);
        assert.doesNotMatch(result.stderr, /WARNING|ERROR|FATAL/, result.stderr);
      } finally {
        tmp.remove();
      }
    });
  }
});

describe("artifacts: proxy-self.sh lists every address of the host [A3]", function () {
  before(function () {
    requirePrerequisites(this, command("unshare"), command("ip"), rootUser());
  });

  it("every address of every interface, both families, and the NAT64 form of each IPv4 one", function () {
    // A network namespace of the test's own, with addresses of a Hetzner-like host.
    // (veth pairs: this kernel may lack dummy links; no link-local addresses, to keep the list exact.)
    const link = (name: string) => [
      `ip link add ${name} type veth peer name ${name}-peer`,
      `ip link set ${name} addrgenmode none`,
      `ip link set ${name}-peer addrgenmode none`,
      `ip link set ${name} up`,
      `ip link set ${name}-peer up`,
    ];
    const setup = [
      "ip link set lo up",
      ...link("eth0"),
      "ip addr add 203.0.113.10/32 dev eth0",
      "ip addr add 2001:db8:1::10/64 dev eth0 nodad",
      ...link("tailscale0"),
      "ip addr add 100.100.0.10/32 dev tailscale0",
      "ip addr add fd7a:115c:a1e0::a/128 dev tailscale0 nodad",
    ].join(" && ");
    const r = run("unshare", [
      "--net",
      "sh",
      "-c",
      `${setup} && sh "$1"`,
      "sh",
      path.join(ROOT, "vps", "host", "scripts", "proxy-self.sh"),
    ]);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(
      r.stdout.trim().split("\n").sort(),
      [
        "100.100.0.10",
        "127.0.0.1",
        "2001:db8:1::10",
        "203.0.113.10",
        "64:ff9b::6464:a",
        "64:ff9b::7f00:1",
        "64:ff9b::cb00:710a",
        "::1",
        "fd7a:115c:a1e0::a",
      ].sort(),
    );
  });

  it("fails, so squid does not start, when it finds no address", function () {
    // A fresh namespace whose loopback is down has no address at all.
    const r = run("unshare", [
      "--net",
      "sh",
      path.join(ROOT, "vps", "host", "scripts", "proxy-self.sh"),
    ]);
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /no address/);
  });
});

describe("artifacts: the provisioning bundle through tar", function () {
  before(function () {
    requirePrerequisites(this, command("tar"), command("base64"));
  });

  it("unpacks with GNU tar exactly as the remote command does, files and modes intact", function () {
    const tmp = tempDir("bundle");
    try {
      const files = renderBundle(sampleSettings());
      const packed = packBundle(files);
      const result = run("sh", ["-c", 'base64 -d | tar -xz -C "$1"', "sh", tmp.dir], {
        input: packed.base64,
      });
      assert.strictEqual(result.status, 0, result.stderr);
      for (const f of files) {
        const target = path.join(tmp.dir, f.path);
        assert.strictEqual(fs.readFileSync(target, "utf8"), f.content, f.path);
        assert.strictEqual(fs.statSync(target).mode & 0o777, f.mode, f.path);
      }
    } finally {
      tmp.remove();
    }
  });
});
