// Validates rendered Kubernetes manifests against the Kubernetes (and Prometheus Operator) OpenAPI
// schemas with the npm packages kubernetes-models and @kubernetes-models/prometheus-operator.
// Catches wrong types and missing required fields; does not flag unknown fields (see FACTS.md).
//
// Usage: NODE_MODULES=<node_modules folder> node validate-manifests.mjs FILE...
//   Exits 1 naming every invalid object (or unknown kind), 0 when all are valid.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

// The packages live in .ci/tools/npm (.ci/npm-tools.sh) (not in the repository), named by NODE_MODULES. ES modules
// ignore NODE_PATH, so the model files are imported by path.
const modules = process.env.NODE_MODULES;
if (!modules || !existsSync(path.join(modules, "kubernetes-models"))) {
  console.error("NODE_MODULES must name the node_modules folder holding kubernetes-models");
  process.exit(2);
}
const load = (file) => import(pathToFileURL(path.join(modules, file)).href);
const YAML = await load("yaml/dist/index.js");

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const file = group === "monitoring.coreos.com"
    ? `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}.js`
    : `kubernetes-models/${group === "" ? "" : group + "/"}${version}/${kind}.js`;
  if (!/^[A-Za-z0-9]+$/.test(kind) || !existsSync(path.join(modules, file))) return null;
  const module = await load(file);
  return module[kind] ?? null;
}

let failures = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  const documents = YAML.parseAllDocuments(readFileSync(file, "utf8"));
  for (const document of documents) {
    if (document.errors.length > 0) {
      console.error(`${file}: YAML error: ${document.errors[0].message}`);
      failures++;
      continue;
    }
    const object = document.toJS();
    if (object == null) continue;
    const where = `${file}: ${object.kind} ${object.metadata?.namespace ?? ""}/${object.metadata?.name}`;
    const Model = await modelFor(object.apiVersion, object.kind);
    if (!Model) {
      console.error(`${where}: no schema for ${object.apiVersion} ${object.kind}`);
      failures++;
      continue;
    }
    try {
      new Model(object).validate();
      checked++;
    } catch (e) {
      console.error(`${where}: ${e.message}`);
      failures++;
    }
  }
}
console.log(`schema check: ${checked} object(s) valid, ${failures} invalid`);
process.exit(failures > 0 || checked === 0 ? 1 : 0);
