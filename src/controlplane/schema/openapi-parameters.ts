/**
 * The query and path parameters kube-apiserver's OpenAPI v3 documents declare on resource
 * operations. kubectl reads them: it sends `fieldValidation=Strict` (and skips its own client-side
 * validation) only when the PATCH operation of a kind lists a `fieldValidation` query parameter.
 */

/** An OpenAPI 3 parameter object. */
export interface OpenApiParameter {
  name: string;
  in: 'query' | 'path';
  description: string;
  required?: boolean;
  schema: { type: string; uniqueItems?: boolean };
}

function query(name: string, type: string, description: string): OpenApiParameter {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

function pathParam(name: string, description: string): OpenApiParameter {
  return { name, in: 'path', description, required: true, schema: { type: 'string', uniqueItems: true } };
}

export const NAME_PARAM = (kind: string): OpenApiParameter => pathParam('name', `name of the ${kind}`);
export const NAMESPACE_PARAM = pathParam('namespace', 'object name and auth scope, such as for teams and projects');
export const PRETTY_PARAM = query('pretty', 'string', "If 'true', then the output is pretty printed.");

const DRY_RUN = query('dryRun', 'string',
  'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed');
const FIELD_MANAGER = query('fieldManager', 'string',
  'fieldManager is a name associated with the actor or entity that is making these changes. ' +
  'It must be at most 128 characters long and contain only printable characters.');
const FIELD_VALIDATION = query('fieldValidation', 'string',
  'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. ' +
  'Valid values are: - Ignore: unknown fields are dropped silently. - Warn: unknown fields are dropped and reported as warnings. ' +
  '- Strict: the request fails with a BadRequest error if any unknown or duplicate field is present.');
const FORCE = query('force', 'boolean',
  'Force makes Apply requests take ownership of fields other managers own. It must be unset for non-apply patch requests.');

/** Parameters of writes that carry an object (create, replace). */
export const WRITE_PARAMS: readonly OpenApiParameter[] = [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION];

/** Parameters of patches. */
export const PATCH_PARAMS: readonly OpenApiParameter[] = [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, FORCE];

/** Parameters of list and watch requests. */
export const LIST_PARAMS: readonly OpenApiParameter[] = [
  query('allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type "BOOKMARK".'),
  query('continue', 'string', 'The continue option should be set when retrieving more results from the server.'),
  query('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  query('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  query('limit', 'integer', 'limit is a maximum number of responses to return for a list call.'),
  query('resourceVersion', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  query('resourceVersionMatch', 'string', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
  query('sendInitialEvents', 'boolean', 'sendInitialEvents=true may be set together with watch=true to stream the current state first.'),
  query('timeoutSeconds', 'integer', 'Timeout for the list/watch call.'),
  query('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.'),
];

/** Parameters of deletes. */
export const DELETE_PARAMS: readonly OpenApiParameter[] = [
  DRY_RUN,
  query('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted.'),
  query('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean',
    'if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error.'),
  query('orphanDependents', 'boolean', 'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7.'),
  query('propagationPolicy', 'string', "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."),
];
