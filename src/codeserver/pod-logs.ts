/**
 * Reading a container's log through the Kubernetes API (`pods/log`), for codeServerLogs.
 * Behind an interface so the service does not care how; the real one uses client-node.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';

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

/** A {@link PodLogReader} over the cluster a KubeConfig points at. */
export class KubePodLogReader implements PodLogReader {
  readonly #core: CoreV1Api;

  constructor(kubeConfig: KubeConfig) {
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
  }

  async read(req: PodLogRequest): Promise<string> {
    return this.#core.readNamespacedPodLog({
      name: req.pod, namespace: req.namespace, container: req.container, tailLines: req.tailLines, limitBytes: req.limitBytes,
    });
  }
}
