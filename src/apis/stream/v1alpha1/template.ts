/**
 * Template: a reusable blueprint for sessions (image, ports, resources, how the user reaches it).
 * The schemas below are the single source of the CRD, its validation and the TypeScript types.
 */
import { Type, type Static } from '@sinclair/typebox';
import { AGE_COLUMN, type CrdDescription } from '../../crd.ts';
import { ContainerPort, EnvVar, ResourceRequirements, VolumeMount } from '../../corev1.ts';
import { Conditions, ObservedGeneration } from '../../metav1.ts';
import { StringEnum, StringSet } from '../../structural.ts';
import type { CustomResource, CustomResourceList } from '../../custom-resource.ts';
import { group, version, type ApiVersion } from './groupversion.ts';

/** Default VNC port: the standard RFB display :0 port. */
export const DEFAULT_VNC_PORT = 5900;

/** Default mount point of the user's persistent home: where LinuxServer images keep their state. */
export const DEFAULT_HOME_MOUNT_PATH = '/config';

/** How a session's desktop is streamed over VNC. Vendor-neutral on purpose (no KasmVNC-specific fields). */
export const VNCConfig = Type.Object({
  enabled: Type.Optional(Type.Boolean({ description: 'Whether the session serves a VNC desktop.', default: false })),
  port: Type.Optional(Type.Integer({
    description: 'Port the VNC server listens on. 5900 for a standard RFB server; LinuxServer.io images serve their web VNC on 3000.',
    format: 'int32',
    minimum: 1,
    maximum: 65535,
    default: DEFAULT_VNC_PORT,
  })),
  protocol: Type.Optional(StringEnum(['rfb', 'websocket'] as const, {
    description: 'Wire protocol on the port: `rfb` for raw RFB (proxied to the browser by StreamSpace), `websocket` for a server that speaks VNC over WebSocket/HTTP itself.',
    default: 'rfb',
  })),
  encryption: Type.Optional(Type.Boolean({ description: 'Whether the VNC server expects TLS on its port.', default: false })),
}, { description: 'VNC streaming settings. At least one of vnc.enabled and webapp.enabled must be true.' });

/** The TypeScript shape of the VNC settings. */
export type VNCConfig = Static<typeof VNCConfig>;

/** How a session that is itself a web application (code-server, Jupyter, ...) is reached. */
export const WebAppConfig = Type.Object({
  enabled: Type.Optional(Type.Boolean({ description: 'Whether the session serves a web application over HTTP.', default: false })),
  port: Type.Optional(Type.Integer({
    description: 'Port the web application listens on (code-server: 8080). Required when enabled.',
    format: 'int32',
    minimum: 1,
    maximum: 65535,
  })),
  path: Type.Optional(Type.String({ description: 'URL path the application is served under; must start with `/`.', default: '/' })),
  healthCheck: Type.Optional(Type.String({
    description: 'HTTP path probed to decide the application is ready (code-server: `/healthz`); must start with `/`. Unset means a TCP check on the port.',
  })),
}, { description: 'Web application settings, for sessions the browser talks to directly over HTTP. At least one of vnc.enabled and webapp.enabled must be true.' });

/** The TypeScript shape of the web application settings. */
export type WebAppConfig = Static<typeof WebAppConfig>;

/** Template.spec. */
export const TemplateSpec = Type.Object({
  displayName: Type.Optional(Type.String({ description: 'Human-readable name shown in the catalog, for example `Firefox`.' })),
  description: Type.Optional(Type.String({ description: 'What the template offers, shown in the catalog.' })),
  category: Type.Optional(Type.String({ description: 'Catalog category, for example `Browsers`, `Development`, `Desktops`.' })),
  icon: Type.Optional(Type.String({ description: 'URL of an icon shown in the catalog.' })),
  baseImage: Type.String({
    description: 'Container image the session runs, as a Docker image reference (`[registry/]repository[:tag][@digest]`).',
    minLength: 1,
  }),
  command: Type.Optional(Type.Array(Type.String(), {
    description: 'Overrides the image entrypoint (container `command`). With runtimeClassName `streamspace-local`, the one program of the local runtime to run (`streamspace-desktop`, `streamspace-notes`).',
  })),
  runtimeClassName: Type.Optional(Type.String({
    description: 'RuntimeClass of the session pod. `streamspace-local` runs it as local processes on the embedded control plane\'s machine (`streamspace up`); unset means the cluster\'s default container runtime.',
    minLength: 1,
    maxLength: 253,
  })),
  args: Type.Optional(Type.Array(Type.String(), { description: 'Arguments to the entrypoint (container `args`).' })),
  defaultResources: Type.Optional(ResourceRequirements(
    'Resources a session gets when it does not set its own spec.resources.',
  )),
  ports: Type.Optional(Type.Array(ContainerPort, {
    description: 'Extra ports the container exposes besides the VNC/webapp port. Port numbers must be unique per protocol.',
  })),
  env: Type.Optional(Type.Array(EnvVar, { description: 'Environment variables set in the session container.' })),
  volumeMounts: Type.Optional(Type.Array(VolumeMount, { description: 'Extra volumes mounted into the session container.' })),
  homeMountPath: Type.Optional(Type.String({
    description: 'Absolute path where the user\'s persistent home volume is mounted (LinuxServer images: `/config`; code-server: `/home/coder`).',
    default: DEFAULT_HOME_MOUNT_PATH,
  })),
  capabilities: Type.Optional(StringSet({ description: 'Features the session offers the user, shown in the catalog, for example `Network`, `Audio`, `Clipboard`.' })),
  tags: Type.Optional(StringSet({ description: 'Free-form tags for catalog search.' })),
  vnc: Type.Optional(VNCConfig),
  webapp: Type.Optional(WebAppConfig),
  idleSignal: Type.Optional(StringEnum(['input', 'traffic'] as const, {
    description: 'What keeps a session awake, as the gateway sees it: `input` counts only what a person does (VNC key and pointer events; web-app requests other than background polling), `traffic` counts any bytes either way.',
    default: 'input',
  })),
}, { description: 'TemplateSpec describes the session a template launches.' });

/** The TypeScript shape of Template.spec. */
export type TemplateSpec = Static<typeof TemplateSpec>;

/** Condition types the Template controller sets. */
export const TemplateConditionTypes = {
  /** True when the spec passed validation (see status.message when False). */
  Valid: 'Valid',
} as const;

/** Template.status, written by the Template controller. */
export const TemplateStatus = Type.Object({
  valid: Type.Optional(Type.Boolean({ description: 'Whether the spec passed validation; sessions cannot start from an invalid template.' })),
  message: Type.Optional(Type.String({ description: 'Why the template is invalid, or empty when it is valid.' })),
  conditions: Type.Optional(Conditions('Current state of the template. `Valid` mirrors status.valid with a reason.')),
  observedGeneration: Type.Optional(ObservedGeneration()),
}, { description: 'TemplateStatus is the state the Template controller observed.' });

/** The TypeScript shape of Template.status. */
export type TemplateStatus = Static<typeof TemplateStatus>;

/** A Template object. */
export type Template = CustomResource<ApiVersion, 'Template', TemplateSpec, TemplateStatus>;

/** A list of Template objects. */
export type TemplateList = CustomResourceList<ApiVersion, 'Template', Template>;

/** The Template custom resource definition. */
export const templateCrd: CrdDescription = {
  group,
  version,
  scope: 'Namespaced',
  names: { kind: 'Template', plural: 'templates', singular: 'template', shortNames: ['tpl'], categories: ['streamspace'] },
  description: 'Template is a reusable blueprint for StreamSpace sessions: the image to run, its resources and ports, and how the user reaches it (a VNC desktop or a web application).',
  spec: TemplateSpec,
  status: TemplateStatus,
  printerColumns: [
    { name: 'Display Name', type: 'string', jsonPath: '.spec.displayName' },
    { name: 'Category', type: 'string', jsonPath: '.spec.category' },
    { name: 'Image', type: 'string', jsonPath: '.spec.baseImage' },
    { name: 'Valid', type: 'boolean', jsonPath: '.status.valid' },
    AGE_COLUMN,
  ],
  statusSubresource: true,
};
