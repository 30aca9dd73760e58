{{/* The chart's name, or nameOverride. */}}
{{- define "trellis.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The release's full name: fullnameOverride, else the release name when it
already contains the chart name, else "<release>-<chart>"; at most 63
characters (a DNS label).
*/}}
{{- define "trellis.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* "<chart>-<version>" for the helm.sh/chart label. */}}
{{- define "trellis.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The labels that select the controller's pods. */}}
{{- define "trellis.selectorLabels" -}}
app.kubernetes.io/name: {{ include "trellis.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The labels of every object of the chart. */}}
{{- define "trellis.labels" -}}
helm.sh/chart: {{ include "trellis.chart" . }}
{{ include "trellis.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The ServiceAccount the controller runs as. */}}
{{- define "trellis.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "trellis.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The controller image. */}}
{{- define "trellis.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/*
Checks of values that `trellis run` would otherwise reject only once the pod
starts. (The four required values are checked where the Deployment uses them.)
*/}}
{{- define "trellis.validate" -}}
{{- if not (kindIs "string" .Values.awsAccountId) -}}
{{- fail "awsAccountId must be a string: quote it in a values file (awsAccountId: \"111122223333\") or use --set-string awsAccountId=..." -}}
{{- end -}}
{{- $resync := int .Values.reconcileDefaultResyncSeconds -}}
{{- if or (lt $resync 0) (and (gt $resync 0) (lt $resync 60)) -}}
{{- fail "reconcileDefaultResyncSeconds must be 0 (off) or at least 60" -}}
{{- end -}}
{{- if lt (int .Values.routeMaxConcurrentReconciles) 1 -}}
{{- fail "routeMaxConcurrentReconciles must be at least 1" -}}
{{- end -}}
{{- if .Values.policies -}}
{{- if not (kindIs "map" .Values.policies) -}}
{{- fail "policies must be a map of file name to TOML text" -}}
{{- end -}}
{{- range $file, $text := .Values.policies -}}
{{- if not (regexMatch "^[A-Za-z0-9][-_.A-Za-z0-9]*[.]toml$" $file) -}}
{{- fail (printf "policies: %q is not a policy file name (letters, digits, '-', '_' and '.', ending in .toml: Trellis reads only *.toml files)" $file) -}}
{{- end -}}
{{- if not (kindIs "string" $text) -}}
{{- fail (printf "policies.%s must be TOML text: write it as a block scalar (%s: |)" $file $file) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range .Values.extraArgs -}}
{{- if and $.Values.policies (hasPrefix "--policies" (toString .)) -}}
{{- fail "extraArgs: --policies is set by the chart from `policies`; use one or the other" -}}
{{- end -}}
{{- if and $.Values.pluginCache.enabled (hasPrefix "--plugin-cache-dir" (toString .)) -}}
{{- fail "extraArgs: --plugin-cache-dir is set by the chart; set pluginCache.enabled=false to pass your own" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The webhook's Service and its serving certificate's Secret. */}}
{{- define "trellis.webhookService" -}}
{{- printf "%s-webhook" (include "trellis.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "trellis.webhookSecret" -}}
{{- printf "%s-webhook-cert" (include "trellis.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The webhook's CA, certificate and key (base64), made once per render and
shared by the Secret, the caBundle and the Deployment's checksum: the
existing Secret's when there is one (kept across upgrades), else generated
(genCA, genSignedCert; 10 years). Stored in the render's values under a key
no values file sets.
*/}}
{{- define "trellis.webhookTLS" -}}
{{- if not (hasKey .Values "trellisGeneratedWebhookTLS") -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "trellis.webhookSecret" .) -}}
{{- if and $existing (hasKey ($existing.data | default dict) "ca.crt") -}}
{{- $_ := set .Values "trellisGeneratedWebhookTLS" (dict "ca" (index $existing.data "ca.crt") "crt" (index $existing.data "tls.crt") "key" (index $existing.data "tls.key")) -}}
{{- else -}}
{{- $service := include "trellis.webhookService" . -}}
{{- $names := list $service (printf "%s.%s" $service .Release.Namespace) (printf "%s.%s.svc" $service .Release.Namespace) (printf "%s.%s.svc.cluster.local" $service .Release.Namespace) -}}
{{- $ca := genCA (printf "%s-ca" $service) 3650 -}}
{{- $cert := genSignedCert (printf "%s.%s.svc" $service .Release.Namespace) nil $names 3650 $ca -}}
{{- $_ := set .Values "trellisGeneratedWebhookTLS" (dict "ca" ($ca.Cert | b64enc) "crt" ($cert.Cert | b64enc) "key" ($cert.Key | b64enc)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
