/**
 * What a controller process runs, decided here and nowhere below: the controllers
 * (controllers/manager.ts) and, unless turned off, StreamSpace's admission webhooks together with
 * the SessionQuota status controller that reports the usage they admit against. The parts are
 * siblings that do not know each other; this module puts them on one Manager.
 */
import { createControllerManager, type ControllerManager, type ControllerManagerOptions } from '../controllers/manager.ts';
import { addQuotaStatusUpdater } from '../controllers/quota/status-updater.ts';
import { addWebhookServer, type WebhookServer, type WebhookServerSettings } from '../webhooks/server.ts';

/** Options of {@link createControllerProcess}: the manager's, plus the webhooks to serve. */
export interface ControllerProcessOptions extends ControllerManagerOptions {
  /**
   * Serve StreamSpace's admission webhooks (quota, defaults, validation) from this process and keep
   * SessionQuota status up to date. Off unless given: tests of the controllers alone run without them.
   */
  webhooks?: WebhookServerSettings;
}

/** A controller manager and, when it runs one, its admission webhook server. */
export interface ControllerProcess extends ControllerManager {
  /** The admission webhook server, when this process runs one. */
  readonly webhooks?: WebhookServer;
}

/** Builds the controller manager with the webhooks and quota-status controller when asked (nothing runs until start()). */
export function createControllerProcess(opts: ControllerProcessOptions): ControllerProcess {
  const { webhooks: settings, ...managerOptions } = opts;
  const ctrl = createControllerManager(managerOptions);
  if (!settings) return ctrl;
  const webhooks = addWebhookServer(ctrl.manager, { ...settings, quota: { homeVolumeSize: opts.settings.home.size, ...settings.quota } });
  addQuotaStatusUpdater(ctrl.manager);
  return { ...ctrl, manager: ctrl.manager, webhooks };
}
