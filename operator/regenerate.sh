#!/usr/bin/env bash
# Regenerates the committed, generated files after a change to the API classes:
#   crds/ttstacks.ttstack.dev-v1.yml       (fabric8 crd-generator output)
#   helm/tt-operator/files/ttstacks.ttstack.dev-v1.yml   (the same file: the chart's CRD template reads it)
#   README.md, between the crd-reference markers
# Tests fail (CommittedCrdTest, ReadmeCrdReferenceTest) until this has been run and committed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./mvnw -q -B -DskipTests package
cp operator/target/classes/META-INF/fabric8/ttstacks.ttstack.dev-v1.yml crds/
cp operator/target/classes/META-INF/fabric8/ttstacks.ttstack.dev-v1.yml helm/tt-operator/files/

start='<!-- crd-reference:start (generated: java -jar operator/target/ttstack-operator.jar crd-reference) -->'
end='<!-- crd-reference:end -->'
reference=$(java -jar operator/target/ttstack-operator.jar crd-reference)
# The reference goes through the environment: awk -v would interpret its backslashes.
REF=$reference awk -v start="$start" -v end="$end" '
  $0 == start { print; print ENVIRON["REF"]; skipping = 1; next }
  $0 == end   { skipping = 0 }
  !skipping   { print }
' README.md > README.md.new
mv README.md.new README.md
echo "regenerated crds/, the chart's copy and the README's CRD reference"
