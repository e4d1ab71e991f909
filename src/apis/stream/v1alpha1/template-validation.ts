/**
 * Semantic validation of Template.spec: the rules the CRD schema cannot express (image reference
 * grammar, unique ports, a reachable session). Pure, so the Template controller (which records
 * the result in status.valid) and the validating webhook (which rejects the write) agree.
 */
import {
  fieldDuplicate, fieldInvalid, fieldNotSupported, fieldRequired, type StatusCause,
} from '../../../apimachinery/errors.ts';
import { imageReferenceProblem } from '../../validation/image-reference.ts';
import { envVarNameProblems, ianaServiceNameProblems } from '../../validation/names.ts';
import { validateResourceRequirements } from '../../validation/resources.ts';
import type { ContainerPort, EnvVar, VolumeMount } from '../../corev1.ts';
import type { TemplateSpec, VNCConfig, WebAppConfig } from './template.ts';
import { DEFAULT_HOME_MOUNT_PATH } from './template.ts';

const PORT_RANGE_MESSAGE = 'must be between 1 and 65535, inclusive';
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const VNC_PROTOCOLS = ['rfb', 'websocket'];

/** Whether `port` is a valid TCP/UDP port number. */
function isPort(port: unknown): boolean {
  return Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535;
}

/** Problems with an absolute path: must start with `/` and not climb out with `..`. */
function absolutePathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must be an absolute path';
  if (path.split('/').includes('..')) return "must not contain '..'";
  return undefined;
}

function validateBaseImage(image: string | undefined, path: string): StatusCause[] {
  if (!image) return [fieldRequired(path, 'the image the session runs')];
  const problem = imageReferenceProblem(image);
  return problem ? [fieldInvalid(path, image, problem)] : [];
}

function validatePort(port: ContainerPort, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (port.name !== undefined && port.name !== '') {
    causes.push(...ianaServiceNameProblems(port.name).map((p) => fieldInvalid(`${path}.name`, port.name, p)));
  }
  if (!isPort(port.containerPort)) causes.push(fieldInvalid(`${path}.containerPort`, port.containerPort, PORT_RANGE_MESSAGE));
  if (port.protocol !== undefined && !PROTOCOLS.includes(port.protocol)) {
    causes.push(fieldNotSupported(`${path}.protocol`, port.protocol, PROTOCOLS));
  }
  return causes;
}

/** Each port valid; names unique; port numbers unique per protocol. */
function validatePorts(ports: ContainerPort[] | undefined, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const names = new Set<string>();
  const numbers = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const at = `${path}[${i}]`;
    causes.push(...validatePort(port, at));
    if (port.name) {
      if (names.has(port.name)) causes.push(fieldDuplicate(`${at}.name`, port.name));
      names.add(port.name);
    }
    const key = `${port.containerPort}/${port.protocol ?? 'TCP'}`;
    if (numbers.has(key)) causes.push(fieldDuplicate(`${at}.containerPort`, port.containerPort));
    numbers.add(key);
  });
  return causes;
}

function validateEnv(env: EnvVar[] | undefined, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  (env ?? []).forEach((variable, i) => {
    const at = `${path}[${i}].name`;
    if (!variable.name) causes.push(fieldRequired(at));
    else causes.push(...envVarNameProblems(variable.name).map((p) => fieldInvalid(at, variable.name, p)));
  });
  return causes;
}

function validateVolumeMounts(mounts: VolumeMount[] | undefined, homeMountPath: string, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<string>([homeMountPath]);
  (mounts ?? []).forEach((mount, i) => {
    const at = `${path}[${i}]`;
    if (!mount.name) causes.push(fieldRequired(`${at}.name`));
    if (!mount.mountPath) {
      causes.push(fieldRequired(`${at}.mountPath`));
      return;
    }
    const problem = absolutePathProblem(mount.mountPath);
    if (problem) causes.push(fieldInvalid(`${at}.mountPath`, mount.mountPath, problem));
    else if (seen.has(mount.mountPath)) {
      const why = mount.mountPath === homeMountPath ? 'must differ from homeMountPath, where the home volume is mounted' : 'must be unique';
      causes.push(fieldInvalid(`${at}.mountPath`, mount.mountPath, why));
    }
    seen.add(mount.mountPath);
  });
  return causes;
}

function validateHomeMountPath(homeMountPath: string | undefined, path: string): StatusCause[] {
  if (homeMountPath === undefined) return [];
  const problem = absolutePathProblem(homeMountPath);
  return problem ? [fieldInvalid(path, homeMountPath, problem)] : [];
}

function validateVnc(vnc: VNCConfig | undefined, path: string): StatusCause[] {
  if (!vnc) return [];
  const causes: StatusCause[] = [];
  if (vnc.port !== undefined && !isPort(vnc.port)) causes.push(fieldInvalid(`${path}.port`, vnc.port, PORT_RANGE_MESSAGE));
  if (vnc.protocol !== undefined && !VNC_PROTOCOLS.includes(vnc.protocol)) {
    causes.push(fieldNotSupported(`${path}.protocol`, vnc.protocol, VNC_PROTOCOLS));
  }
  return causes;
}

function validateUrlPath(value: string | undefined, path: string): StatusCause[] {
  if (value === undefined || value.startsWith('/')) return [];
  return [fieldInvalid(path, value, "must start with '/'")];
}

function validateWebApp(webapp: WebAppConfig | undefined, path: string): StatusCause[] {
  if (!webapp) return [];
  const causes: StatusCause[] = [];
  if (webapp.port === undefined) {
    if (webapp.enabled) causes.push(fieldRequired(`${path}.port`, 'the port the web application listens on, when webapp.enabled is true'));
  } else if (!isPort(webapp.port)) {
    causes.push(fieldInvalid(`${path}.port`, webapp.port, PORT_RANGE_MESSAGE));
  }
  causes.push(...validateUrlPath(webapp.path, `${path}.path`));
  causes.push(...validateUrlPath(webapp.healthCheck, `${path}.healthCheck`));
  return causes;
}

/** A session nobody can reach is useless: require a VNC desktop or a web application. */
function validateReachable(spec: TemplateSpec, path: string): StatusCause[] {
  if (spec.vnc?.enabled || spec.webapp?.enabled) return [];
  return [fieldRequired(path, 'at least one of vnc.enabled or webapp.enabled must be true')];
}

/**
 * Validates a Template spec. Returns one cause per problem, with field paths rooted at `path`
 * (`spec.ports[1].containerPort`), empty when the spec is valid. Defaults the CRD would apply
 * (homeMountPath `/config`) are assumed where a field is unset.
 */
export function validateTemplateSpec(spec: TemplateSpec | undefined, path = 'spec'): StatusCause[] {
  if (!spec) return [fieldRequired(path)];
  const homeMountPath = spec.homeMountPath ?? DEFAULT_HOME_MOUNT_PATH;
  return [
    ...validateBaseImage(spec.baseImage, `${path}.baseImage`),
    ...validateResourceRequirements(spec.defaultResources, `${path}.defaultResources`),
    ...validatePorts(spec.ports, `${path}.ports`),
    ...validateEnv(spec.env, `${path}.env`),
    ...validateHomeMountPath(spec.homeMountPath, `${path}.homeMountPath`),
    ...validateVolumeMounts(spec.volumeMounts, homeMountPath, `${path}.volumeMounts`),
    ...validateVnc(spec.vnc, `${path}.vnc`),
    ...validateWebApp(spec.webapp, `${path}.webapp`),
    ...validateReachable(spec, path),
  ];
}
