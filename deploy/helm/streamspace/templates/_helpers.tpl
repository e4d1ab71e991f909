{{/* Name prefix of every namespaced object: the release name, unless it already says streamspace. */}}
{{- define "streamspace.fullname" -}}
{{- if contains "streamspace" .Release.Name -}}{{ .Release.Name | trunc 52 | trimSuffix "-" }}{{- else -}}{{ printf "%s-streamspace" .Release.Name | trunc 52 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{/* Labels every object carries; part-of is the one the platform's own objects carry too. */}}
{{- define "streamspace.labels" -}}
app.kubernetes.io/part-of: streamspace
app.kubernetes.io/name: streamspace
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Pod selector of one component: call with (dict "root" $ "component" "controller"). */}}
{{- define "streamspace.selector" -}}
app.kubernetes.io/name: streamspace
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Labels of one component's objects. */}}
{{- define "streamspace.componentLabels" -}}
{{ include "streamspace.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "streamspace.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The Secret and key holding the PostgreSQL URL. */}}
{{- define "streamspace.databaseSecret" -}}
{{- if .Values.database.url -}}{{ include "streamspace.fullname" . }}-database{{- else -}}{{ required "database.existingSecret or database.url is required: the API replicas share PostgreSQL" .Values.database.existingSecret }}{{- end -}}
{{- end -}}

{{- define "streamspace.databaseEnv" -}}
- name: STREAMSPACE_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "streamspace.databaseSecret" . }}
      key: {{ .Values.database.urlKey }}
{{- end -}}

{{/* The API's and gateway's --auth flags (the gateway accepts the API's sign-ins). */}}
{{- define "streamspace.authArgs" -}}
- --auth={{ .Values.api.auth }}
{{- if eq .Values.api.auth "oidc" }}
- --oidc-issuer={{ required "api.oidc.issuer is required with api.auth=oidc" .Values.api.oidc.issuer }}
{{- with .Values.api.oidc.audiences }}
- --oidc-audience={{ . }}
{{- end }}
{{- with .Values.api.oidc.adminRoles }}
- --oidc-admin-roles={{ . }}
{{- end }}
{{- with .Values.api.oidc.roleClaims }}
- --oidc-role-claims={{ . }}
{{- end }}
{{- end }}
{{- if eq .Values.api.auth "proxy" }}
- --trusted-proxies={{ required "api.proxy.trustedProxies is required with api.auth=proxy" .Values.api.proxy.trustedProxies }}
{{- with .Values.api.proxy.groupsHeader }}
- --groups-header={{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The pod-level settings every component shares: non-root, service account token only where used. */}}
{{- define "streamspace.podSpecCommon" -}}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Writable folders of a read-only container: /tmp. */}}
{{- define "streamspace.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}
