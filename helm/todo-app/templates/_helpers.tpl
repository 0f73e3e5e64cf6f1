{{/* Chart name, truncated to the 63 characters a DNS label allows. */}}
{{- define "todo-app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: release-chart, or the release alone when it already contains the chart name. */}}
{{- define "todo-app.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "todo-app.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "todo-app.labels" -}}
helm.sh/chart: {{ include "todo-app.chart" . }}
{{ include "todo-app.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: todo-app
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels that select the release's pods (add app.kubernetes.io/component per workload). */}}
{{- define "todo-app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo-app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels and selector labels of one component: (dict "ctx" $ "component" "backend"). */}}
{{- define "todo-app.componentLabels" -}}
{{ include "todo-app.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- define "todo-app.componentSelectorLabels" -}}
{{ include "todo-app.selectorLabels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "todo-app.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "todo-app.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret the pods read: existingSecret when given, else the one this chart renders. */}}
{{- define "todo-app.secretName" -}}
{{- default (include "todo-app.fullname" .) .Values.existingSecret }}
{{- end }}

{{- define "todo-app.configMapName" -}}
{{- printf "%s-config" (include "todo-app.fullname" .) }}
{{- end }}

{{- define "todo-app.postgresql.fullname" -}}
{{- printf "%s-postgresql" (include "todo-app.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* registry/repository:tag; the tag defaults to the chart's appVersion, never "latest". (dict "ctx" $ "image" .Values.backend.image) */}}
{{- define "todo-app.image" -}}
{{- $registry := default .ctx.Values.image.registry .image.registry -}}
{{- $tag := default .ctx.Chart.AppVersion (default .ctx.Values.image.tag .image.tag) -}}
{{- if $registry }}{{ printf "%s/%s:%s" (trimSuffix "/" $registry) .image.repository $tag }}{{ else }}{{ printf "%s:%s" .image.repository $tag }}{{ end }}
{{- end }}

{{- define "todo-app.imagePullPolicy" -}}
{{- default .ctx.Values.image.pullPolicy .image.pullPolicy }}
{{- end }}

{{/* Pod-level security context of the "restricted" Pod Security Standard. */}}
{{- define "todo-app.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .runAsUser }}
runAsGroup: {{ .runAsUser }}
fsGroup: {{ .runAsUser }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Container-level security context of the "restricted" Pod Security Standard. */}}
{{- define "todo-app.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .runAsUser }}
runAsGroup: {{ .runAsUser }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Scheduling spread for a component with more than one replica (or an HPA). (dict "ctx" $ "component" "backend" "values" .Values.backend) */}}
{{- define "todo-app.spread" -}}
{{- if or .values.autoscaling.enabled (gt (int .values.replicaCount) 1) -}}
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "todo-app.componentSelectorLabels" . | nindent 14 }}
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "todo-app.componentSelectorLabels" . | nindent 8 }}
{{- end }}
{{- end }}

{{/* checksum/config: pods roll when the ConfigMap changes. */}}
{{- define "todo-app.checksumConfig" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- end }}

{{/* checksum/secret: pods roll when the Secret changes. With existingSecret it covers the live
     Secret's data (lookup at install/upgrade time; empty under `helm template`). */}}
{{- define "todo-app.checksumSecret" -}}
{{- if .Values.existingSecret }}
checksum/secret: {{ (lookup "v1" "Secret" .Release.Namespace .Values.existingSecret).data | default dict | toJson | sha256sum }}
{{- else }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
{{- end }}

{{/* The backend's environment: its secrets by reference, then the database's. */}}
{{- define "todo-app.backendEnv" -}}
- name: JWT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "todo-app.secretName" . }}
      key: JWT_SECRET
- name: OPENAI_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "todo-app.secretName" . }}
      key: OPENAI_API_KEY
      optional: true
{{ include "todo-app.databaseEnv" . }}
{{- end }}

{{/* DATABASE_URL and nothing more (the migration Job gets only this): built from the bundled
     PostgreSQL's Service when it is enabled, else the Secret's. */}}
{{- define "todo-app.databaseEnv" -}}
{{- if .Values.postgresql.enabled }}
- name: POSTGRES_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "todo-app.secretName" . }}
      key: POSTGRES_PASSWORD
- name: DATABASE_URL
  value: "postgresql://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@{{ include "todo-app.postgresql.fullname" . }}:{{ .Values.postgresql.service.port }}/$(POSTGRES_DB)"
{{- else }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "todo-app.secretName" . }}
      key: DATABASE_URL
{{- end }}
{{- end }}

{{/* preStop: sleep so the endpoints controller removes the pod before the app stops accepting. */}}
{{- define "todo-app.preStop" -}}
lifecycle:
  preStop:
    exec:
      command: ["sleep", "{{ . }}"]
{{- end }}

{{/* HorizontalPodAutoscaler of one Deployment (autoscaling/v2, CPU and/or memory). */}}
{{- define "todo-app.hpa" -}}
{{- $a := .values.autoscaling }}
{{- if $a.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "todo-app.fullname" .ctx }}-{{ .component }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "todo-app.componentLabels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "todo-app.fullname" .ctx }}-{{ .component }}
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    {{- if $a.targetCPUUtilizationPercentage }}
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $a.targetCPUUtilizationPercentage }}
    {{- end }}
    {{- if $a.targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ $a.targetMemoryUtilizationPercentage }}
    {{- end }}
{{- end }}
{{- end }}

{{/* PodDisruptionBudget of one component: minAvailable when set, else maxUnavailable. */}}
{{- define "todo-app.pdb" -}}
{{- $p := .values.pdb }}
{{- if $p.create }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "todo-app.fullname" .ctx }}-{{ .component }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "todo-app.componentLabels" . | nindent 4 }}
spec:
  {{- if not (kindIs "invalid" $p.minAvailable) | and (ne (toString $p.minAvailable) "") }}
  minAvailable: {{ $p.minAvailable }}
  {{- else }}
  maxUnavailable: {{ $p.maxUnavailable }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "todo-app.componentSelectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}

{{/* Egress rule: DNS (UDP and TCP 53) to any resolver (CoreDNS, NodeLocal DNSCache). */}}
{{- define "todo-app.egressDns" -}}
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{ .Values.networkPolicy.dns.namespace }}
      podSelector:
        matchLabels:
          {{- toYaml .Values.networkPolicy.dns.podLabels | nindent 10 }}
  ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
{{- end }}

{{/* Egress rule: the database (the bundled PostgreSQL pods, or the external database's CIDR). */}}
{{- define "todo-app.egressDatabase" -}}
{{- if .Values.postgresql.enabled -}}
- to:
    - podSelector:
        matchLabels:
          {{- include "todo-app.componentSelectorLabels" (dict "ctx" . "component" "postgresql") | nindent 10 }}
  ports:
    - protocol: TCP
      port: 5432
{{- else -}}
- to:
    - ipBlock:
        cidr: {{ required "externalDatabase.cidr: with an external database and networkPolicy.enabled, say which addresses the database has (its CIDR, e.g. 203.0.113.10/32), or set networkPolicy.enabled=false" .Values.externalDatabase.cidr }}
  ports:
    - protocol: TCP
      port: {{ .Values.externalDatabase.port }}
{{- end }}
{{- end }}

{{/* Is HTTPS egress (OpenAI or a compatible server) allowed for the backend? "true" or "". */}}
{{- define "todo-app.allowExternalHttps" -}}
{{- if kindIs "invalid" .Values.networkPolicy.allowExternalHttps }}
{{- if eq .Values.config.chatProvider "openai" }}true{{ end }}
{{- else if .Values.networkPolicy.allowExternalHttps }}true{{ end }}
{{- end }}

{{/* kube-score wants UIDs >= 10000; images with a fixed lower UID (postgres:15-alpine's 70,
     Next.js' 1001) carry this ignore annotation, justified in docs/kubernetes.md. */}}
{{- define "todo-app.lowUidAnnotation" -}}
{{- if lt (int .) 10000 -}}
kube-score/ignore: container-security-context-user-group-id
{{- end }}
{{- end }}

{{/* The most database connections the backend can hold: pods (the HPA's maxReplicas, or
     replicaCount) plus the rolling update's one surge pod, times WEB_CONCURRENCY workers, times
     DB_POOL_SIZE + 1 (each worker's pool and its health-check connection). */}}
{{- define "todo-app.backendConnections" -}}
{{- $b := .Values.backend }}
{{- $pods := ternary $b.autoscaling.maxReplicas $b.replicaCount $b.autoscaling.enabled | int }}
{{- mul (add $pods 1) (int .Values.config.webConcurrency) (add (int .Values.config.dbPoolSize) 1) }}
{{- end }}

{{/* Fails the release when the backend could hold more connections than the bundled
     PostgreSQL gives it (max_connections minus the reserve): a scale-up would then fail with
     "too many clients" instead of serving. */}}
{{- define "todo-app.checkConnections" -}}
{{- if .Values.postgresql.enabled }}
{{- $b := .Values.backend }}
{{- $pods := ternary $b.autoscaling.maxReplicas $b.replicaCount $b.autoscaling.enabled | int }}
{{- $need := include "todo-app.backendConnections" . | int }}
{{- $room := sub (int .Values.postgresql.maxConnections) (int .Values.postgresql.connectionReserve) }}
{{- if gt $need $room }}
{{- fail (printf "the backend could open %d database connections ((%d pods + 1 during a rolling update) x config.webConcurrency %d x (config.dbPoolSize %d + 1)), more than the bundled PostgreSQL allows it: postgresql.maxConnections %d - postgresql.connectionReserve %d = %d. Lower backend.autoscaling.maxReplicas / backend.replicaCount, config.webConcurrency or config.dbPoolSize, or raise postgresql.maxConnections" $need $pods (int .Values.config.webConcurrency) (int .Values.config.dbPoolSize) (int .Values.postgresql.maxConnections) (int .Values.postgresql.connectionReserve) $room) }}
{{- end }}
{{- end }}
{{- end }}

{{/* The pod of a backup run (the CronJob's and the Job each release revision starts): pg_dump of
     the database into the backup PVC, then only the newest backup.retention dumps are kept. */}}
{{- define "todo-app.backupPodTemplate" -}}
{{- $ctx := dict "ctx" $ "component" "backup" "runAsUser" .Values.postgresql.runAsUser }}
{{- $pg := .Values.postgresql.image -}}
metadata:
  labels:
    {{- include "todo-app.componentLabels" $ctx | nindent 4 }}
  annotations:
    # A one-shot run: liveness/readiness probes make no sense for it (checkov CKV_K8S_8/9).
    checkov.io/skip1: CKV_K8S_8=one-shot backup pod
    checkov.io/skip2: CKV_K8S_9=one-shot backup pod
    {{- with include "todo-app.lowUidAnnotation" .Values.postgresql.runAsUser }}
    {{- . | nindent 4 }}
    {{- end }}
spec:
  restartPolicy: Never
  serviceAccountName: {{ include "todo-app.serviceAccountName" . }}
  automountServiceAccountToken: false
  securityContext:
    {{- include "todo-app.podSecurityContext" $ctx | nindent 4 }}
  {{- with .Values.image.pullSecrets }}
  imagePullSecrets:
    {{- range . }}
    - name: {{ . }}
    {{- end }}
  {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: backup
      image: {{ if $pg.registry }}{{ printf "%s/%s:%s" (trimSuffix "/" $pg.registry) $pg.repository $pg.tag | quote }}{{ else }}{{ printf "%s:%s" $pg.repository $pg.tag | quote }}{{ end }}
      imagePullPolicy: {{ $pg.pullPolicy }}
      command: ["/bin/sh", "-c"]
      args:
        - |
          set -eu
          file="/backups/todo-$(date -u +%Y%m%d-%H%M%S).dump"
          # libpq reads postgresql:// URLs, not SQLAlchemy's postgresql+psycopg://
          url=$(printf '%s' "${DATABASE_URL:-}" | sed 's#^postgresql+psycopg://#postgresql://#')
          rm -f /backups/*.part
          # written to a temporary name first: an interrupted dump never looks like a good one
          if [ -n "$url" ]; then
            pg_dump --format=custom --no-owner --no-privileges --file="$file.part" "$url"
          else
            pg_dump --format=custom --no-owner --no-privileges --file="$file.part"
          fi
          mv "$file.part" "$file"
          echo "backup: $file ($(wc -c < "$file" | tr -d ' ') bytes)"
          ls -1 /backups/todo-*.dump | sort -r | tail -n +$((RETENTION + 1)) | while read -r old; do
            rm -f -- "$old" && echo "backup: removed $old (retention $RETENTION)"
          done
      env:
        - name: RETENTION
          value: {{ .Values.backup.retention | quote }}
        {{- if .Values.postgresql.enabled }}
        - name: PGHOST
          value: {{ include "todo-app.postgresql.fullname" . }}
        - name: PGPORT
          value: {{ .Values.postgresql.service.port | quote }}
        - name: PGUSER
          valueFrom:
            configMapKeyRef:
              name: {{ include "todo-app.configMapName" . }}
              key: POSTGRES_USER
        - name: PGDATABASE
          valueFrom:
            configMapKeyRef:
              name: {{ include "todo-app.configMapName" . }}
              key: POSTGRES_DB
        - name: PGPASSWORD
          valueFrom:
            secretKeyRef:
              name: {{ include "todo-app.secretName" . }}
              key: POSTGRES_PASSWORD
        {{- else }}
        - name: DATABASE_URL
          valueFrom:
            secretKeyRef:
              name: {{ include "todo-app.secretName" . }}
              key: DATABASE_URL
        {{- end }}
      resources:
        {{- toYaml .Values.backup.resources | nindent 8 }}
      securityContext:
        {{- include "todo-app.containerSecurityContext" $ctx | nindent 8 }}
      volumeMounts:
        - name: backups
          mountPath: /backups
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: backups
      persistentVolumeClaim:
        claimName: {{ default (printf "%s-backup" (include "todo-app.fullname" .)) .Values.backup.persistence.existingClaim }}
    - name: tmp
      emptyDir:
        sizeLimit: 16Mi
{{- end }}
