/**
 * RestConfig: where the API server is and how to authenticate to it, as plain data (client-go's
 * rest.Config). The runtime's own HTTPS transport is built from it, so a controller process never
 * loads client-node's generated clients and HTTP stack (importing client-node alone costs about
 * 80 MiB of resident memory, more than half the controller's budget).
 *
 * It comes from a kubeconfig file, the in-cluster service account, or a client-node KubeConfig
 * object (tests and the API hand those around); see rest-config-loader.ts.
 */

/** A `client.authentication.k8s.io` exec credential plugin (kubeconfig `users[].user.exec`). */
export interface ExecCredentialPlugin {
  command: string;
  args: string[];
  /** Extra environment variables for the plugin, on top of this process's environment. */
  env: Record<string, string>;
  /** `client.authentication.k8s.io/v1` or `/v1beta1`. */
  apiVersion: string;
  /** Whether the plugin is handed the cluster's details through KUBERNETES_EXEC_INFO. */
  provideClusterInfo: boolean;
}

/** How requests prove who they are, besides a client certificate. */
export type RestCredentials =
  | { type: 'none' }
  /** A fixed bearer token. */
  | { type: 'token'; token: string }
  /** A bearer token read from a file, re-read periodically (bound service-account tokens rotate). */
  | { type: 'tokenFile'; path: string }
  | { type: 'basic'; username: string; password: string }
  /** Tokens or client certificates from an exec plugin, cached until they expire or a request gets 401. */
  | { type: 'exec'; plugin: ExecCredentialPlugin };

/** TLS settings. PEM text throughout; files are read when the config is loaded. */
export interface RestTls {
  /** CA bundle to verify the server with (the system's roots when unset). */
  ca?: string;
  /** Client certificate and key (mutual TLS). */
  cert?: string;
  key?: string;
  insecureSkipVerify?: boolean;
  /** SNI and verification name when it differs from the server URL's host. */
  serverName?: string;
}

/** Everything needed to talk to one API server as one user. */
export interface RestConfig {
  /** The API server's base URL, e.g. `https://10.96.0.1:443`. */
  server: string;
  tls: RestTls;
  credentials: RestCredentials;
  /** Default namespace of the kubeconfig context (or the in-cluster pod's namespace), when known. */
  namespace?: string;
}
