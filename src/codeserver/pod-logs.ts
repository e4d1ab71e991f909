/**
 * Reading a container's log through the Kubernetes API (`pods/log`), for codeServerLogs.
 * Behind an interface so the service does not care how.
 */
import type { KubeClient } from '../runtime/client.ts';

/** Which log to read. */
export interface PodLogRequest {
  namespace: string;
  pod: string;
  container: string;
  /** Only the last lines. */
  tailLines?: number;
  /** At most this many bytes (a runaway log must not become a huge GraphQL answer). */
  limitBytes?: number;
}

/** Reads container logs. */
export interface PodLogReader {
  read(req: PodLogRequest): Promise<string>;
}

/** A {@link PodLogReader} over the API server's pods/log subresource. */
export class KubePodLogReader implements PodLogReader {
  readonly #api: KubeClient;

  constructor(api: KubeClient) {
    this.#api = api;
  }

  async read(req: PodLogRequest): Promise<string> {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: req.pod, namespace: req.namespace } };
    return this.#api.getSubresourceText(pod, 'log', { container: req.container, tailLines: req.tailLines, limitBytes: req.limitBytes });
  }
}
