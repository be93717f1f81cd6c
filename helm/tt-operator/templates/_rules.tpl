{{/*
The operator's RBAC rules: exactly what it calls, proven by operator/src/test/java/dev/ttstack/operator/
rbac/RbacIT.java against every API request the operator made in the whole test suite. That test fails,
naming each rule to add or remove, when these rules and the operator's calls disagree. No "*".

"tt-operator.rules" is granted in every watched namespace (ClusterRole when watching all of them);
"tt-operator.leaseRules" only in the release namespace, where the Lease lives.
*/}}

{{- define "tt-operator.rules" -}}
# The TTStack: its informer, and the status the operator reports.
- apiGroups: ["ttstack.dev"]
  resources: ["ttstacks"]
  verbs: ["list", "watch"]
- apiGroups: ["ttstack.dev"]
  resources: ["ttstacks/status"]
  verbs: ["patch"]
# Dependents (JOSDK): informer, create, update (USE_SSA=false) and patch (Server-Side Apply). JOSDK
# never applies ConfigMaps and Secrets by SSA (it updates them with PUT), so ConfigMaps need no
# patch; the Redis bootstrap record (<stack>-redis-state) is a dependent like the others.
# Monitoring's ConfigMaps and Services are deleted when spec.monitoring (or its Grafana) is switched
# off.
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["list", "watch", "create", "update", "delete"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["list", "watch", "create", "update", "patch", "delete"]
# Deployments: the app, and Prometheus, Alertmanager and Grafana (deleted with monitoring off).
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["list", "watch", "create", "update", "patch", "delete"]
# Prometheus' pod discovery in the stack's namespace: its ServiceAccount, and a Role and RoleBinding
# granting list and watch on pods, which the operator holds itself (see Pods below), as Kubernetes
# requires of whoever grants them. Deleted with monitoring off.
- apiGroups: [""]
  resources: ["serviceaccounts"]
  verbs: ["list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["roles", "rolebindings"]
  verbs: ["list", "watch", "create", "update", "patch", "delete"]
# StatefulSets: delete (propagationPolicy=Orphan, pods and claims kept) only to replace one whose
# volumeClaimTemplates must grow (VolumeGrowth).
- apiGroups: ["apps"]
  resources: ["statefulsets"]
  verbs: ["list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies"]
  verbs: ["list", "watch", "create", "update", "patch"]
# The app's Ingress (deleted when spec.app.ingress is removed).
- apiGroups: ["networking.k8s.io"]
  resources: ["ingresses"]
  verbs: ["list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["list", "watch", "create", "update", "patch"]
# Secrets: the managed <stack>-secrets (a dependent, deleted when the stack switches to secretRef)
# and <stack>-redis-auth (a dependent); the informers also read the Doppler token and secretRef
# Secrets (watched by name).
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["list", "watch", "create", "update", "delete"]
# The backup CronJob (deleted when scheduled backups are disabled).
- apiGroups: ["batch"]
  resources: ["cronjobs"]
  verbs: ["list", "watch", "create", "update", "patch", "delete"]
# Backup Jobs before an upgrade: a dependent, created once (Server-Side Apply, hence patch) and
# then only observed; never deleted by the operator (they go with the TTStack).
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["list", "watch", "create", "patch"]
# Volumes: the backup and Prometheus volumes are created, never deleted by the operator (data is
# kept); patch also moves their ownerReference with spec.deletionPolicy; the StatefulSets' claims
# are observed, and patched to a larger size (VolumeGrowth; fabric8 reads the claim before a JSON
# merge patch, hence get).
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["list", "watch", "get", "create", "patch"]
# Pods: observed only (crash loops, image pulls, backup results).
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch"]
# Events on the TTStack (kubectl describe tts).
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end -}}

{{- define "tt-operator.leaseRules" -}}
# Leader election. Creating a Lease cannot be limited to a name; the rest is. "update" is never sent
# (fabric8 renews with patch) but JOSDK refuses to start without it.
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["create"]
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  resourceNames: [{{ .Values.leaderElection.leaseName | quote }}]
  verbs: ["get", "update", "patch"]
{{- end -}}
