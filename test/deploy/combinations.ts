/**
 * Every values combination the chart supports, by name: the chart tests lint and render each one,
 * and check the invariants that must hold in all of them (non-root pods, resource requests,
 * admission objects, RBAC subjects, network policies).
 */
export const COMBINATIONS: Record<string, Record<string, unknown>> = {
  default: {},
  'database-url': { database: { url: 'postgres://streamspace:secret@postgres.db:5432/streamspace' } },
  'cert-manager-self-signed': { webhooks: { certificates: { mode: 'cert-manager' } } },
  'cert-manager-cluster-issuer': { webhooks: { certificates: { mode: 'cert-manager', certManager: { issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer' } } } } },
  'ingress-host-mode': {
    expose: { kind: 'ingress', host: 'streamspace.example.com', sessionsHost: '*.sessions.example.com', ingress: { className: 'nginx', tlsSecretName: 'streamspace-tls', annotations: { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600' } } },
    gateway: { domain: 'sessions.example.com' },
  },
  'session-routes-from-ingress': {
    networkPolicy: { extraSessionPeers: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] },
  },
  'gateway-api': {
    expose: { kind: 'gateway-api', gatewayApi: { gatewayName: 'public', gatewayNamespace: 'gateways' } },
    controller: { sessionRoute: 'gateway-api', gatewayApiGateway: 'gateways/public' },
  },
  istio: {
    expose: { kind: 'istio', istio: { gateway: 'istio-system/public' } },
    controller: { sessionRoute: 'istio', istioGateway: 'istio-system/public' },
  },
  'no-gateway': { gateway: { enabled: false } },
  monitoring: { monitoring: { serviceMonitor: { enabled: true, labels: { release: 'prometheus' } }, prometheusRule: { enabled: true }, dashboard: { enabled: true } } },
  oidc: {
    api: { auth: 'oidc', oidc: { issuer: 'https://login.example.com/realms/corp', audiences: 'streamspace', adminRoles: 'streamspace-admin' } },
  },
  proxy: { api: { auth: 'proxy', proxy: { trustedProxies: '10.0.0.0/8', groupsHeader: 'X-Forwarded-Groups' } } },
  minimal: {
    controller: { replicas: 1 }, api: { replicas: 1 }, gateway: { replicas: 1 }, networkPolicy: { enabled: false }, podDisruptionBudget: { enabled: false },
  },
  'single-namespace': { controller: { watchNamespace: 'streamspace' } },
};
