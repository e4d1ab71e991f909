/**
 * Name and metadata validation with kube-apiserver's exact messages
 * (apimachinery pkg/util/validation, pkg/api/validate/content, pkg/api/validation).
 *
 * The `is*` checks return a list of human-readable problems (empty when the value is valid),
 * exactly like their Go counterparts; the `validate*` functions turn those into StatusCauses
 * with field paths such as `metadata.name` for a 422 Invalid response.
 */
import type { ObjectMeta, OwnerReference, ManagedFieldsEntry } from './object.ts';
import type { StatusCause } from './errors.ts';
import { fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired } from './errors.ts';

/** Longest DNS-1123 label (namespace names, most label-like names). */
export const DNS1123_LABEL_MAX_LENGTH = 63;
/** Longest DNS-1123 subdomain (most object names). */
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
/** Longest DNS-1035 label (service names). */
export const DNS1035_LABEL_MAX_LENGTH = 63;
/** Longest label value and longest name part of a qualified name. */
export const LABEL_VALUE_MAX_LENGTH = 63;
/** Total bytes of all annotation keys and values of one object. */
export const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024;
/** The message of every immutable-field violation. */
export const FIELD_IMMUTABLE_MESSAGE = 'field is immutable';

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;

const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1035_LABEL_RE = new RegExp(`^${DNS1035_LABEL_FMT}$`);
const QUALIFIED_NAME_RE = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);

const DNS1123_LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_MSG = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** Go measures strings in bytes; so do the length limits. */
function byteLength(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** `<msg> (e.g. 'a' or 'b', regex used for validation is '<re>')`, apimachinery's RegexError. */
export function regexError(message: string, regex: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${regex}')`;
  // Go joins "'a', " items with " or ", which leaves a double space before each "or".
  const quoted = examples.map((e) => `'${e}', `).join(' or ');
  return `${message} (e.g. ${quoted}regex used for validation is '${regex}')`;
}

/*
 * Two generations of the length message coexist in apimachinery: the older pkg/util/validation
 * checks (DNS names) say "characters", the newer pkg/api/validate/content checks (label keys and
 * values) say "bytes". Both count bytes.
 */
function maxLenCharacters(length: number): string {
  return `must be no more than ${length} characters`;
}

function maxLenBytes(length: number): string {
  return `must be no more than ${length} bytes`;
}

/** Problems with `value` as a DNS-1123 label (max 63, no dots); empty when valid. */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenCharacters(DNS1123_LABEL_MAX_LENGTH));
  if (!DNS1123_LABEL_RE.test(value)) {
    errs.push(DNS1123_SUBDOMAIN_RE.test(value)
      ? 'must not contain dots'
      : regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errs;
}

function dns1123SubdomainErrors(value: string, maxLenMessage: (n: number) => string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenMessage(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!DNS1123_SUBDOMAIN_RE.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

/** Problems with `value` as a DNS-1123 subdomain (max 253, dot-separated labels); empty when valid. */
export function isDNS1123Subdomain(value: string): string[] {
  return dns1123SubdomainErrors(value, maxLenCharacters);
}

/** Problems with `value` as a DNS-1035 label (must start with a letter; service names); empty when valid. */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1035_LABEL_MAX_LENGTH) errs.push(maxLenCharacters(DNS1035_LABEL_MAX_LENGTH));
  if (!DNS1035_LABEL_RE.test(value)) errs.push(regexError(DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  return errs;
}

function qualifiedNamePartErrors(name: string): string[] {
  const errs: string[] = [];
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (byteLength(name) > LABEL_VALUE_MAX_LENGTH) errs.push(`name part ${maxLenBytes(LABEL_VALUE_MAX_LENGTH)}`);
  if (!QUALIFIED_NAME_RE.test(name)) {
    errs.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  }
  return errs;
}

/**
 * Problems with `value` as a qualified name: a label key, annotation key or finalizer,
 * `[prefix/]name` where the optional prefix is a DNS subdomain; empty when valid.
 */
export function isQualifiedName(value: string): string[] {
  const parts = value.split('/');
  if (parts.length > 2) {
    return [`a valid label key ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`
      + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
  }
  const errs: string[] = [];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...dns1123SubdomainErrors(prefix, maxLenBytes).map((m) => `prefix part ${m}`));
  }
  return [...errs, ...qualifiedNamePartErrors(parts[parts.length - 1])];
}

/** Problems with `value` as a label value (empty, or up to 63 name characters); empty when valid. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenBytes(LABEL_VALUE_MAX_LENGTH));
  if (!LABEL_VALUE_RE.test(value)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

/**
 * Validates an object name; `prefix` is true when checking a generateName, which may end in `-`
 * because random characters follow it.
 */
export type NameValidator = (name: string, prefix: boolean) => string[];

/*
 * apimachinery masks a generateName's trailing dash by dropping the last two characters and
 * appending "a"; the dropped character before the dash is therefore never checked. Kept as is
 * so that the same generateNames are accepted and rejected.
 */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

/** Names that must be DNS-1123 subdomains: most kinds, and every custom resource. */
export const nameIsDNSSubdomain: NameValidator = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);

/** Names that must be DNS-1123 labels: namespaces and similar. */
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);

/** Names that must be DNS-1035 labels: services. */
export const nameIsDNS1035Label: NameValidator = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);

/** The weakest rule, applied to every kind: the name must be usable as one URL path segment. */
export const validatePathSegmentName: NameValidator = (name, prefix) => {
  if (!prefix && (name === '.' || name === '..')) return [`may not be '${name}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
};

/** Label keys must be qualified names and values valid label values; causes carry `fieldPath`. */
export function validateLabels(labels: Record<string, string> | undefined, fieldPath: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    for (const msg of isQualifiedName(key)) causes.push(fieldInvalid(fieldPath, key, msg));
    for (const msg of isValidLabelValue(String(value))) causes.push(fieldInvalid(fieldPath, value, msg));
  }
  return causes;
}

/** Annotation keys must be qualified names (checked lower-cased) and all entries together fit 256 KiB. */
export function validateAnnotations(annotations: Record<string, string> | undefined, fieldPath: string): StatusCause[] {
  const causes: StatusCause[] = [];
  let totalBytes = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    for (const msg of isQualifiedName(key.toLowerCase())) causes.push(fieldInvalid(fieldPath, key, msg));
    totalBytes += byteLength(key) + byteLength(String(value));
  }
  if (totalBytes > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) causes.push(fieldTooLong(fieldPath, TOTAL_ANNOTATION_SIZE_LIMIT_BYTES));
  return causes;
}

/** FieldValueTooLong; errors.ts has no builder for it, the shape follows field.TooLong. */
function fieldTooLong(field: string, maxBytes: number): StatusCause {
  const unit = maxBytes === 1 ? 'byte' : 'bytes';
  return { reason: 'FieldValueTooLong', field, message: `Too long: may not be more than ${maxBytes} ${unit}` };
}

/** `group/version` or `version` as schema.ParseGroupVersion splits it; undefined when unparsable. */
function parseGroupVersion(apiVersion: string): { group: string; version: string } | undefined {
  if (apiVersion === '' || apiVersion === '/') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length > 2) return undefined;
  return parts.length === 1 ? { group: '', version: parts[0] } : { group: parts[0], version: parts[1] };
}

function validateOwnerReference(ref: Partial<OwnerReference>, fieldPath: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const apiVersion = ref.apiVersion ?? '';
  const gv = parseGroupVersion(apiVersion);
  if (apiVersion === '') causes.push(fieldRequired(`${fieldPath}.apiVersion`, 'must not be empty'));
  else if (!gv || gv.version === '') causes.push(fieldInvalid(`${fieldPath}.apiVersion`, apiVersion, 'must be <group>/<version> or <version>'));
  for (const key of ['kind', 'name', 'uid'] as const) {
    if (!ref[key]) causes.push(fieldRequired(`${fieldPath}.${key}`, 'must not be empty'));
  }
  // Events may not own anything (BannedOwners): their garbage collection would cascade.
  if (gv && gv.group === '' && gv.version === 'v1' && ref.kind === 'Event') {
    causes.push(fieldInvalid(fieldPath, ref, '/v1, Kind=Event is disallowed from being an owner'));
  }
  return causes;
}

/** Each owner reference needs apiVersion, kind, name and uid; at most one may be the controller. */
export function validateOwnerReferences(refs: OwnerReference[] | undefined, fieldPath: string): StatusCause[] {
  const causes: StatusCause[] = [];
  let firstController = '';
  (refs ?? []).forEach((ref, index) => {
    causes.push(...validateOwnerReference(ref, `${fieldPath}[${index}]`));
    if (ref.controller !== true) return;
    const current = `${ref.kind}/${ref.name}`;
    if (firstController === '') {
      firstController = current;
      return;
    }
    causes.push(fieldInvalid(fieldPath, refs,
      `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`));
  });
  return causes;
}

/** Finalizers are qualified names, and `orphan` and `foregroundDeletion` exclude each other. */
export function validateFinalizers(finalizers: string[] | undefined, fieldPath: string): StatusCause[] {
  const list = finalizers ?? [];
  const causes = list.flatMap((f) => isQualifiedName(f).map((msg) => fieldInvalid(fieldPath, f, msg)));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    causes.push(fieldInvalid(fieldPath, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return causes;
}

const FIELD_MANAGER_MAX_LENGTH = 128;
const SUBRESOURCE_NAME_MAX_LENGTH = 256;
// unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const NON_PRINTABLE_RE = /[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;

function validateFieldManager(manager: string, fieldPath: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (byteLength(manager) > FIELD_MANAGER_MAX_LENGTH) causes.push(fieldTooLong(fieldPath, FIELD_MANAGER_MAX_LENGTH));
  const bad = NON_PRINTABLE_RE.exec(manager);
  if (bad) {
    const codePoint = bad[0].codePointAt(0) ?? 0;
    const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
    const position = byteLength(manager.slice(0, bad.index));
    causes.push(fieldInvalid(fieldPath, manager, `invalid character U+${hex} (at position ${position})`));
  }
  return causes;
}

/** managedFields entries: operation Apply or Update, fieldsType FieldsV1, printable manager. */
export function validateManagedFields(entries: ManagedFieldsEntry[] | undefined, fieldPath: string): StatusCause[] {
  const causes: StatusCause[] = [];
  (entries ?? []).forEach((entry, index) => {
    const path = `${fieldPath}[${index}]`;
    const operation = (entry.operation ?? '') as string;
    if (operation === '') causes.push(fieldRequired(`${path}.operation`, 'must not be empty'));
    else if (operation !== 'Apply' && operation !== 'Update') causes.push(fieldNotSupported(`${path}.operation`, operation, ['Apply', 'Update']));
    const fieldsType = (entry.fieldsType ?? '') as string;
    if (fieldsType !== '' && fieldsType !== 'FieldsV1') causes.push(fieldInvalid(`${path}.fieldsType`, fieldsType, 'must be `FieldsV1`'));
    causes.push(...validateFieldManager(entry.manager ?? '', `${path}.manager`));
    if (byteLength(entry.subresource ?? '') > SUBRESOURCE_NAME_MAX_LENGTH) {
      causes.push(fieldTooLong(`${path}.subresource`, SUBRESOURCE_NAME_MAX_LENGTH));
    }
  });
  return causes;
}

/** How validateObjectMeta treats an object: its scope and the name rule of its kind. */
export interface ObjectMetaValidationOptions {
  /** Namespaced kinds need a namespace; cluster-scoped kinds must not have one. */
  namespaced: boolean;
  /** The name rule of the kind; defaults to nameIsDNSSubdomain. */
  nameValidator?: NameValidator;
}

function validateNames(meta: ObjectMeta, nameValidator: NameValidator): StatusCause[] {
  const causes: StatusCause[] = [];
  const generateName = meta.generateName ?? '';
  if (generateName !== '') {
    for (const msg of nameValidator(generateName, true)) causes.push(fieldInvalid('metadata.generateName', generateName, msg));
  }
  const name = meta.name ?? '';
  if (name === '') causes.push(fieldRequired('metadata.name', 'name or generateName is required'));
  else for (const msg of nameValidator(name, false)) causes.push(fieldInvalid('metadata.name', name, msg));
  return causes;
}

function validateNamespace(meta: ObjectMeta, namespaced: boolean): StatusCause[] {
  const namespace = meta.namespace ?? '';
  if (!namespaced) return namespace === '' ? [] : [fieldForbidden('metadata.namespace', 'not allowed on this type')];
  if (namespace === '') return [fieldRequired('metadata.namespace')];
  return nameIsDNSLabel(namespace, false).map((msg) => fieldInvalid('metadata.namespace', namespace, msg));
}

function validateGeneration(generation: number | undefined): StatusCause[] {
  return generation !== undefined && generation < 0
    ? [fieldInvalid('metadata.generation', generation, 'must be greater than or equal to 0')]
    : [];
}

/** The checks create and update share: labels, annotations, owners and managedFields. */
function validateMetaContents(meta: ObjectMeta): StatusCause[] {
  return [
    ...validateLabels(meta.labels, 'metadata.labels'),
    ...validateAnnotations(meta.annotations, 'metadata.annotations'),
    ...validateOwnerReferences(meta.ownerReferences, 'metadata.ownerReferences'),
  ];
}

/**
 * ValidateObjectMeta for a create: name (or generateName), namespace rules of the scope,
 * generation, labels, annotations, owner references, finalizers and managedFields.
 */
export function validateObjectMeta(meta: ObjectMeta, options: ObjectMetaValidationOptions): StatusCause[] {
  return [
    ...validateNames(meta, options.nameValidator ?? nameIsDNSSubdomain),
    ...validateNamespace(meta, options.namespaced),
    ...validateGeneration(meta.generation),
    ...validateMetaContents(meta),
    ...validateFinalizers(meta.finalizers, 'metadata.finalizers'),
    ...validateManagedFields(meta.managedFields, 'metadata.managedFields'),
  ];
}

/** Timestamps compare as instants (metav1.Time is equal when its UTC time is), other values exactly. */
function sameTimestamp(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return !a && !b;
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return Number.isNaN(ta) || Number.isNaN(tb) ? a === b : ta === tb;
}

function immutable(field: string, newValue: unknown, same: boolean): StatusCause[] {
  return same ? [] : [fieldInvalid(field, newValue, FIELD_IMMUTABLE_MESSAGE)];
}

function validateImmutableMeta(newMeta: ObjectMeta, oldMeta: ObjectMeta): StatusCause[] {
  // Unset and empty are the same to Go (zero values), so compare with that in mind.
  const same = (key: 'name' | 'namespace' | 'uid') => (newMeta[key] ?? '') === (oldMeta[key] ?? '');
  return [
    ...immutable('metadata.name', newMeta.name ?? '', same('name')),
    ...immutable('metadata.namespace', newMeta.namespace ?? '', same('namespace')),
    ...immutable('metadata.uid', newMeta.uid ?? '', same('uid')),
    ...immutable('metadata.creationTimestamp', newMeta.creationTimestamp,
      sameTimestamp(newMeta.creationTimestamp, oldMeta.creationTimestamp)),
    ...immutable('metadata.deletionTimestamp', newMeta.deletionTimestamp,
      sameTimestamp(newMeta.deletionTimestamp, oldMeta.deletionTimestamp)),
    ...immutable('metadata.deletionGracePeriodSeconds', newMeta.deletionGracePeriodSeconds,
      newMeta.deletionGracePeriodSeconds === oldMeta.deletionGracePeriodSeconds),
  ];
}

/** Go's %#v of a []string: `[]string{"a", "b"}`. */
function goStringSlice(values: string[]): string {
  return `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
}

function validateNoNewFinalizers(newMeta: ObjectMeta, oldMeta: ObjectMeta): StatusCause[] {
  const old = new Set(oldMeta.finalizers ?? []);
  const added = [...new Set((newMeta.finalizers ?? []).filter((f) => !old.has(f)))].sort();
  if (added.length === 0) return [];
  return [fieldForbidden('metadata.finalizers',
    `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(added)}`)];
}

function validateGenerationUpdate(newMeta: ObjectMeta, oldMeta: ObjectMeta): StatusCause[] {
  const causes = validateGeneration(newMeta.generation);
  if ((newMeta.generation ?? 0) < (oldMeta.generation ?? 0)) {
    causes.push(fieldInvalid('metadata.generation', newMeta.generation ?? 0, 'must not be decremented'));
  }
  return causes;
}

/**
 * ValidateObjectMetaUpdate: no new finalizers while deleting, a resourceVersion present,
 * generation not decremented, name/namespace/uid/creationTimestamp/deletionTimestamp/
 * deletionGracePeriodSeconds unchanged, and labels, annotations, owners and managedFields valid.
 *
 * kube-apiserver first carries some of these over from the stored object (a missing uid,
 * creationTimestamp, an existing deletionTimestamp) and also runs the create checks; callers do
 * that before calling this.
 */
export function validateObjectMetaUpdate(newMeta: ObjectMeta, oldMeta: ObjectMeta): StatusCause[] {
  const causes: StatusCause[] = oldMeta.deletionTimestamp ? validateNoNewFinalizers(newMeta, oldMeta) : [];
  if (!newMeta.resourceVersion) {
    causes.push(fieldInvalid('metadata.resourceVersion', newMeta.resourceVersion ?? '', 'must be specified for an update'));
  }
  return [
    ...causes,
    ...validateGenerationUpdate(newMeta, oldMeta),
    ...validateImmutableMeta(newMeta, oldMeta),
    ...validateMetaContents(newMeta),
    ...validateManagedFields(newMeta.managedFields, 'metadata.managedFields'),
  ];
}

/** metav1.LabelSelectorRequirement as it appears in object specs. */
export interface MetaLabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** metav1.LabelSelector as it appears in object specs. */
export interface MetaLabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: MetaLabelSelectorRequirement[];
}

function validateSelectorRequirement(req: MetaLabelSelectorRequirement, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const values = req.values ?? [];
  if (req.operator === 'In' || req.operator === 'NotIn') {
    if (values.length === 0) causes.push(fieldRequired(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
  } else if (req.operator === 'Exists' || req.operator === 'DoesNotExist') {
    if (values.length > 0) causes.push(fieldForbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
  } else {
    causes.push(fieldInvalid(`${path}.operator`, req.operator, 'not a valid selector operator'));
  }
  for (const msg of isQualifiedName(req.key ?? '')) causes.push(fieldInvalid(`${path}.key`, req.key, msg));
  values.forEach((v, i) => causes.push(...isValidLabelValue(v).map((msg) => fieldInvalid(`${path}.values[${i}]`, v, msg))));
  return causes;
}

/** ValidateLabelSelector for a metav1.LabelSelector in a spec, e.g. at `spec.selector`. */
export function validateLabelSelector(selector: MetaLabelSelector | null | undefined, fieldPath: string): StatusCause[] {
  if (!selector) return [];
  return [
    ...validateLabels(selector.matchLabels, `${fieldPath}.matchLabels`),
    ...(selector.matchExpressions ?? []).flatMap((req, i) => validateSelectorRequirement(req, `${fieldPath}.matchExpressions[${i}]`)),
  ];
}
