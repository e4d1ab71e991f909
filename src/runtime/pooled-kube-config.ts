/**
 * A KubeConfig whose requests share one connection pool.
 *
 * STOP-GAP, to be replaced by a transport of our own in this runtime: client-node 2.0.1's
 * `applySecurityAuthentication` builds a new undici Agent for every request, so every request the
 * runtime's KubeClient sends opens (and abandons) its own TLS connection. Under load that costs a
 * handshake per write on both sides and hundreds of MiB of resident memory in the controller
 * (malloc fragmentation from TLS state), and it is what made the 1,000-session benchmark miss
 * its memory target. Here the first Agent is kept and handed to every later request (and watch);
 * the Agents built for them are closed unused. The pool is per KubeConfig, i.e. per cluster and
 * user, which is what client-node keys its own agent cache by.
 */
import { KubeConfig } from '@kubernetes/client-node';

type RequestContext = Parameters<KubeConfig['applySecurityAuthentication']>[0];
type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/** See the module comment. */
export class PooledKubeConfig extends KubeConfig {
  #shared: Dispatcher | undefined;

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getDispatcher();
    if (!fresh) return;
    if (!this.#shared) {
      this.#shared = fresh;
      return;
    }
    if (fresh === this.#shared) return;
    context.setDispatcher(this.#shared);
    void fresh.close().catch(() => undefined);
  }
}

/** A {@link PooledKubeConfig} with the clusters, users and contexts of `kc`. */
export function pooled(kc: KubeConfig): PooledKubeConfig {
  if (kc instanceof PooledKubeConfig) return kc;
  const out = new PooledKubeConfig();
  out.clusters = kc.clusters;
  out.users = kc.users;
  out.contexts = kc.contexts;
  out.currentContext = kc.currentContext;
  return out;
}
