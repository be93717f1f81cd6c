// Schema check of Kubernetes objects in YAML files (every document of each file):
//  - built-in kinds (v1 Namespace, Secret, ...): npm kubernetes-models' .validate() (types, required
//    fields, enums; it does not flag unknown fields);
//  - TTStack (ttstack.dev/v1alpha1): the openAPIV3Schema of the committed CRD, crds/ttstacks.ttstack.dev-v1.yml,
//    with ajv (CEL rules, x-kubernetes-validations, are not evaluated here; the operator's own validation
//    is tested in the operator module);
//  - HelmChart (helm.cattle.io/v1): no schema is published in an npm package; its fields are checked by
//    K3sNodeSetupTest (operator module) against the fields of k3s's helm-controller.
// Any other kind fails: an object nobody can check is not let through silently.
// Usage: node .ci/validate-manifests.mjs NPM_TOOLS_DIR CRD_FILE FILE.yaml...
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [toolsDir, crdFile, ...files] = process.argv.slice(2);
if (!toolsDir || !crdFile || files.length === 0) {
  console.error("usage: node .ci/validate-manifests.mjs NPM_TOOLS_DIR CRD_FILE FILE.yaml...");
  process.exit(2);
}
const require = createRequire(resolve(toolsDir, "package.json"));
const YAML = require("yaml");
const Ajv = require("ajv").default;
const NO_SCHEMA = new Set(["helm.cattle.io/v1/HelmChart"]);

const crd = YAML.parse(readFileSync(crdFile, "utf8"));
const ttstackSchemas = new Map(
  crd.spec.versions.map((v) => [`${crd.spec.group}/${v.name}`, v.schema.openAPIV3Schema]),
);
// strict: false lets ajv ignore the x-kubernetes-* keywords and formats it does not know.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const ttstackValidators = new Map([...ttstackSchemas].map(([k, s]) => [k, ajv.compile(s)]));

/** The kubernetes-models class for apiVersion/kind, or undefined when the package has none. */
async function modelClass(apiVersion, kind) {
  const module = apiVersion.includes("/") ? apiVersion : `v1`; // core group: "v1" -> kubernetes-models/v1
  const index = join(resolve(toolsDir), "node_modules", "kubernetes-models", module, "index.js");
  if (!existsSync(index)) return undefined;
  return (await import(pathToFileURL(index).href))[kind];
}

let objects = 0;
const problems = [];
for (const file of files) {
  const docs = YAML.parseAllDocuments(readFileSync(file, "utf8"));
  for (const [i, doc] of docs.entries()) {
    if (doc.errors.length > 0) {
      problems.push(`${file}#${i}: ${doc.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue;
    const where = `${file}#${i} ${obj.kind}/${obj.metadata?.name}`;
    objects++;
    if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) {
      problems.push(`${where}: apiVersion, kind and metadata.name are required`);
      continue;
    }
    const key = `${obj.apiVersion}/${obj.kind}`;
    if (obj.kind === "TTStack" && ttstackValidators.has(obj.apiVersion)) {
      const validate = ttstackValidators.get(obj.apiVersion);
      if (!validate(obj)) {
        problems.push(`${where}: ${validate.errors.map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ")}`);
      } else {
        console.log(`ok  ${where} (CRD schema)`);
      }
      continue;
    }
    if (NO_SCHEMA.has(key)) {
      console.log(`--  ${where}: no schema here; fields checked by K3sNodeSetupTest`);
      continue;
    }
    const Model = await modelClass(obj.apiVersion, obj.kind);
    if (typeof Model !== "function") {
      problems.push(`${where}: no schema for ${key}`);
      continue;
    }
    try {
      new Model(obj).validate();
      console.log(`ok  ${where} (kubernetes-models)`);
    } catch (e) {
      problems.push(`${where}: ${e.message}`);
    }
  }
}

// A validator that accepts anything is worse than none: these must fail.
const selfTest = [];
const mustFail = [
  ["v1", "Namespace", { apiVersion: "v1", kind: "Namespace", metadata: { name: "x", labels: { a: 1 } } }],
  ["v1", "Secret", { apiVersion: "v1", kind: "Secret", metadata: { name: "x" }, data: "not-a-map" }],
];
for (const [apiVersion, kind, obj] of mustFail) {
  const Model = await modelClass(apiVersion, kind);
  try {
    new Model(obj).validate();
    selfTest.push(`${kind} with a wrong type was accepted`);
  } catch {
    // rejected, as it must be
  }
}
const validate = [...ttstackValidators.values()][0];
if (validate({ apiVersion: "ttstack.dev/v1alpha1", kind: "TTStack", metadata: { name: "x" }, spec: { app: { replicas: "two" } } })) {
  selfTest.push("a TTStack with spec.app.replicas: \"two\" was accepted");
}
if (selfTest.length > 0) problems.push(...selfTest.map((s) => `self-test: ${s}`));

if (problems.length > 0) {
  console.error(problems.join("\n"));
  console.error(`FAIL: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`OK: ${objects} object(s) in ${files.length} file(s); self-test passed`);
