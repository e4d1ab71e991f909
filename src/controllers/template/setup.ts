/** Wiring of the Template controller: it reconciles Templates and owns nothing. */
import { controllerManagedBy } from '../../runtime/builder.ts';
import type { Controller } from '../../runtime/controller.ts';
import type { Manager } from '../../runtime/manager.ts';
import type { FreshClient } from '../fresh-client.ts';
import { TemplateKind } from '../kinds.ts';
import { TemplateReconciler } from './reconciler.ts';

/** Builds the Template controller and registers it with `mgr`. */
export function setupTemplateController(mgr: Manager, client: FreshClient): Controller {
  client.track(TemplateKind);
  return controllerManagedBy(mgr)
    .named('template')
    .for(TemplateKind)
    .complete(new TemplateReconciler({ client, clock: mgr.getClock() }));
}
