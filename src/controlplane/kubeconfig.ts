/** Kubeconfig files for the embedded control plane: HTTPS with its own CA and a bearer token. */
import * as yaml from 'js-yaml';

/** What a kubeconfig points at. */
export interface KubeconfigInput {
  server: string;
  caPem: string;
  token: string;
  name?: string;
  user?: string;
}

/** Renders a kubeconfig YAML document. */
export function renderKubeconfig(input: KubeconfigInput): string {
  const name = input.name ?? 'streamspace';
  const user = input.user ?? 'admin';
  return yaml.dump({
    apiVersion: 'v1', kind: 'Config', preferences: {}, 'current-context': name,
    clusters: [{ name, cluster: { server: input.server, 'certificate-authority-data': Buffer.from(input.caPem).toString('base64') } }],
    users: [{ name: user, user: { token: input.token } }],
    contexts: [{ name, context: { cluster: name, user, namespace: 'default' } }],
  });
}
