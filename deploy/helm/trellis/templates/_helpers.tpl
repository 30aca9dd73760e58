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
{{- end -}}
