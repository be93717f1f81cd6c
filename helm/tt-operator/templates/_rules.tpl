{{/*
The operator's RBAC rules: exactly what it calls, proven by operator/src/test/java/dev/ttstack/operator/
rbac/RbacIT.java against every API request the operator made in the whole test suite. That test fails,
naming each rule to add or remove, when these rules and the operator's calls disagree. No "*".

"tt-operator.rules" is granted in every watched namespace (ClusterRole when watching all of them);
"tt-operator.leaseRules" only in the release namespace, where the Lease lives.
*/}}

{{- define "tt-operator.rules" -}}
# The TTStack: informer (list, watch); status written by the operator (patch).
- apiGroups: ["ttstack.dev"]
  resources: ["ttstacks"]
  verbs: ["list", "watch"]
- apiGroups: ["ttstack.dev"]
  resources: ["ttstacks/status"]
  verbs: ["patch"]
# Objects the operator creates and keeps as desired (dependents): informers, create, update, and
# patch (Server-Side Apply, on by default).
- apiGroups: [""]
  resources: ["configmaps", "services"]
  verbs: ["list", "watch", "create", "update", "patch"]
# Secrets: the managed "<stack>-secrets", and reading the Doppler token / secretRef Secrets.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["list", "watch", "create", "update", "patch"]
# PersistentVolumeClaims: the retained backup volume (created), the StatefulSets' claims (observed),
# deleted only with spec.deletionPolicy: Delete.
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["list", "watch", "create", "update", "patch", "delete"]
# Pods: observed only (crash loops, image pulls, backup results).
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch"]
# Events on the TTStack (kubectl describe tts).
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
- apiGroups: ["apps"]
  resources: ["statefulsets"]
  verbs: ["list", "watch", "create", "update", "patch"]
# CronJobs (scheduled backups) are dependents; Jobs (backup before an upgrade) are created directly
# and observed.
- apiGroups: ["batch"]
  resources: ["cronjobs"]
  verbs: ["list", "watch", "create", "update", "patch"]
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["list", "watch", "create"]
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies"]
  verbs: ["list", "watch", "create", "update", "patch"]
{{- end -}}

{{- define "tt-operator.leaseRules" -}}
# Leader election. Creating a Lease cannot be limited to a name; everything else is.
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["create"]
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  resourceNames: [{{ .Values.leaderElection.leaseName | quote }}]
  verbs: ["get", "update", "patch"]
{{- end -}}
