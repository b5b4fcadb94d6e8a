import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, POLICIES } from "./policies";

// `pulumi up --policy-pack policy` runs this file; constructing the pack serves it.
new PolicyPack(PACK_NAME, { enforcementLevel: "mandatory", policies: POLICIES });
