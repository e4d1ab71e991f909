/**
 * The objects a session owns, as the controller wants them: the shared metadata of every child,
 * the streaming endpoint a template declares, the Service in front of the pod and the user's home
 * claim. The Deployment is in deployment.ts and the route (Ingress, VirtualService, HTTPRoute) in
 * routes.ts. Builders are pure: same inputs, same object, which is what drift detection and the
 * applied-hash annotation rely on.
 */
import { STREAM_PORT_NAME } from '../../apis/stream/v1alpha1/naming.ts';
import type { KubeObject, OwnerReference } from '../../apimachinery/object.ts';
import type { Session } from '../../apis/stream/v1alpha1/session.ts';
import { DEFAULT_VNC_PORT, type Template, type TemplateSpec } from '../../apis/stream/v1alpha1/template.ts';
import type { ControllerSettings } from '../settings.ts';
import { desiredHomeClaim } from '../../apis/stream/v1alpha1/home-claim.ts';

export { desiredHomeClaim };
import { ANNOTATIONS, selectorLabels, sessionLabels, workloadName } from '../../apis/stream/v1alpha1/naming.ts';

/** What every child builder is built from. */
export interface ChildInputs {
  session: Session;
  template: Template;
  settings: ControllerSettings;
}


/** Where the user's session is served inside the pod, and how readiness is probed. */
export interface StreamingEndpoint {
  port: number;
  /** HTTP path probed for readiness; a TCP check when unset. */
  healthCheckPath?: string;
  /** URL path the session is served under (webapp.path), `/` for VNC. */
  urlPath: string;
}

/** The streaming endpoint of a template: the VNC port when VNC is enabled, else the web app's. */
export function streamingEndpoint(spec: TemplateSpec): StreamingEndpoint {
  if (spec.vnc?.enabled || !spec.webapp?.enabled) return { port: spec.vnc?.port ?? DEFAULT_VNC_PORT, urlPath: '/' };
  return { port: spec.webapp.port ?? DEFAULT_VNC_PORT, healthCheckPath: spec.webapp.healthCheck, urlPath: spec.webapp.path ?? '/' };
}

/** A port the container exposes and the Service forwards. */
export interface SessionPort {
  name: string;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
}

/** The streaming port first, then the template's extra ports (unnamed ones named `port-<n>`). */
export function sessionPorts(spec: TemplateSpec): SessionPort[] {
  const stream = streamingEndpoint(spec).port;
  const ports: SessionPort[] = [{ name: STREAM_PORT_NAME, port: stream, protocol: 'TCP' }];
  for (const p of spec.ports ?? []) {
    const protocol = p.protocol ?? 'TCP';
    if (p.containerPort === stream && protocol === 'TCP') continue;
    const name = p.name && p.name !== STREAM_PORT_NAME ? p.name : `port-${p.containerPort}`;
    ports.push({ name, port: p.containerPort, protocol });
  }
  return ports;
}

/** The controller reference every child except the home claim carries. */
export function ownerReference(session: Session): OwnerReference {
  return {
    apiVersion: session.apiVersion, kind: session.kind, name: session.metadata.name ?? '', uid: session.metadata.uid ?? '',
    controller: true, blockOwnerDeletion: true,
  };
}

/** Metadata of a session child: name, labels, exact user and session names, owner reference. */
export function childMetadata(session: Session): KubeObject['metadata'] {
  return {
    name: workloadName(session),
    namespace: session.metadata.namespace,
    labels: sessionLabels(session),
    annotations: { [ANNOTATIONS.user]: session.spec.user, [ANNOTATIONS.session]: session.metadata.name ?? '' },
    ownerReferences: [ownerReference(session)],
  };
}

/** The ClusterIP Service in front of the session pod. */
export function desiredService({ session, template }: ChildInputs): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMetadata(session),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(session),
      ports: sessionPorts(template.spec).map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: p.protocol })),
    },
  };
}


/** Whether the session mounts the user's home volume (the CRD default is true). */
export function usesHome(session: Session): boolean {
  return session.spec.persistentHome ?? true;
}
