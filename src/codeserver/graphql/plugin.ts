/**
 * The GraphQL endpoint as a fastify plugin: `POST /graphql` (any operation, JSON body
 * `{query, variables?, operationName?}`) and `GET /graphql` (queries only, as URL parameters),
 * following GraphQL-over-HTTP: a request that cannot be parsed or validated is a 400 with
 * `{errors}`, an executed one is a 200 with `{data, errors?}`.
 *
 * Authentication is the REST API's, passed in as a function (see api-auth.ts): it is asked once
 * per request, and a request it does not accept reaches the resolvers without a user, where
 * every field but `health` answers the seed's `unauthorized`. Errors the service raises keep
 * their message and `extensions.code`; anything unexpected is logged and answered as
 * `internal error`, so no stack or cluster detail leaks to clients.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  execute, getOperationAST, GraphQLError, Kind, parse, validate,
  type DocumentNode, type ExecutionResult, type GraphQLFormattedError, type OperationDefinitionNode,
} from 'graphql';
import { limitProblem } from './limits.ts';
import type { Logger } from 'pino';
import type { CodeServerUser } from '../caller.ts';
import { CodeServerError, MESSAGES } from '../errors.ts';
import type { CodeServerService } from '../service.ts';
import { codeServerRoot, type GraphQLContext } from './resolvers.ts';
import { codeServerSchema } from './schema.ts';

/** Finds who sent a request: undefined (or a throw) when nobody authenticated. */
export type AuthenticateRequest = (request: FastifyRequest) => Promise<CodeServerUser | undefined>;

/** Options of {@link codeServerGraphQL}. */
export interface CodeServerGraphQLOptions {
  service: CodeServerService;
  authenticate: AuthenticateRequest;
  logger?: Logger;
  /** Route path (default `/graphql`). */
  path?: string;
  /**
   * `config` of both routes, for hosts whose hooks read it (inside the API's /api/v1 context:
   * `{ auth: 'public', audit: 'codeserver.graphql' }`, as the plugin authenticates by itself).
   */
  routeConfig?: Record<string, unknown>;
  /** Told about every mutation field run (its name, arguments' target, outcome), for the audit trail. */
  audit?: (request: FastifyRequest, entry: GraphQLAuditEntry) => Promise<void>;
}

/** One mutation field as the audit trail records it. */
export interface GraphQLAuditEntry {
  actor: string;
  /** `graphql.<field>`, e.g. `graphql.deleteCodeServer`. */
  action: string;
  target?: string;
  /** 200 when the field succeeded, else the status its error stands for (401, 403, 404, 400, 500). */
  result: number;
  detail?: string;
}

const CODE_STATUS: Record<string, number> = { UNAUTHORIZED: 401, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, INTERNAL: 500 };

/** The audit entries of a mutation's root fields: one per field (aliases apart), with its outcome. */
function mutationEntries(
  operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined,
  user: CodeServerUser | undefined, errors: readonly GraphQLFormattedError[],
): GraphQLAuditEntry[] {
  return operation.selectionSet.selections.flatMap((s) => {
    if (s.kind !== Kind.FIELD) return [];
    const key = s.alias?.value ?? s.name.value;
    const error = errors.find((e) => e.path?.[0] === key);
    const target = s.arguments?.map((a) => (a.value.kind === Kind.VARIABLE ? variables?.[a.value.name.value] : 'value' in a.value ? a.value.value : undefined))
      .find((v) => typeof v === 'string') as string | undefined;
    const code = String(error?.extensions?.code ?? '');
    return [{
      actor: user?.username ?? 'anonymous', action: `graphql.${s.name.value}`, target: target?.slice(0, 253),
      result: error ? CODE_STATUS[code] ?? 400 : 200, detail: error?.message,
    }];
  });
}

/** A GraphQL request, from a body or URL parameters. */
interface GraphQLRequest {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

class BadRequest extends Error {}

function parseVariables(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = typeof value === 'string' ? JSON.parse(value) : value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BadRequest('variables must be an object');
  return parsed as Record<string, unknown>;
}

function readRequest(params: unknown): GraphQLRequest {
  if (typeof params !== 'object' || params === null) throw new BadRequest('expected a JSON object with a "query" string');
  const p = params as Record<string, unknown>;
  if (typeof p.query !== 'string' || !p.query.trim()) throw new BadRequest('"query" must be a non-empty string');
  if (p.operationName !== undefined && p.operationName !== null && typeof p.operationName !== 'string') throw new BadRequest('"operationName" must be a string');
  let variables: Record<string, unknown> | undefined;
  try {
    variables = parseVariables(p.variables);
  } catch (err) {
    throw new BadRequest(err instanceof BadRequest ? err.message : '"variables" is not valid JSON');
  }
  return { query: p.query, variables, operationName: (p.operationName as string | null | undefined) ?? undefined };
}

/** A field error as the client sees it: the service's own, or a masked unexpected one. */
function formatError(error: GraphQLError, logger: Logger | undefined): GraphQLFormattedError {
  const original = error.originalError;
  if (!original || original instanceof CodeServerError || original instanceof GraphQLError) return error.toJSON();
  logger?.error({ err: original, path: error.path }, 'GraphQL resolver failed');
  return { message: MESSAGES.internal, path: error.path, locations: error.locations, extensions: { code: 'INTERNAL' } };
}

async function userOf(request: FastifyRequest, authenticate: AuthenticateRequest): Promise<CodeServerUser | undefined> {
  try {
    return await authenticate(request);
  } catch {
    // Bad credentials are the same as none to the resolvers: every field but health says `unauthorized`.
    return undefined;
  }
}

function requestError(reply: FastifyReply, status: number, errors: readonly { message: string }[]): object {
  void reply.code(status);
  return { errors: errors.map((e) => (e instanceof GraphQLError ? e.toJSON() : { message: e.message })) };
}

/** See the module comment. */
export function codeServerGraphQL(opts: CodeServerGraphQLOptions) {
  const rootValue = codeServerRoot(opts.service);

  async function run(request: FastifyRequest, reply: FastifyReply, params: unknown): Promise<object> {
    let req: GraphQLRequest;
    let document: DocumentNode;
    try {
      req = readRequest(params);
      document = parse(req.query);
    } catch (err) {
      if (err instanceof BadRequest || err instanceof GraphQLError) return requestError(reply, 400, [err]);
      throw err;
    }
    const invalid = validate(codeServerSchema, document);
    if (invalid.length) return requestError(reply, 400, invalid);
    const operation = getOperationAST(document, req.operationName);
    if (request.method === 'GET' && operation?.operation !== 'query') {
      void reply.header('allow', 'POST');
      return requestError(reply, 405, [{ message: 'only queries may be sent with GET; send mutations with POST' }]);
    }
    const tooMuch = operation ? limitProblem(document, operation) : undefined;
    if (tooMuch) return requestError(reply, 400, [{ message: tooMuch }]);
    const contextValue: GraphQLContext = { user: await userOf(request, opts.authenticate) };
    const result: ExecutionResult = await execute({
      schema: codeServerSchema, document, rootValue, contextValue, variableValues: req.variables, operationName: req.operationName,
    });
    const errors = result.errors?.map((e) => formatError(e, opts.logger));
    if (operation?.operation === 'mutation' && opts.audit) {
      for (const entry of mutationEntries(operation, req.variables, contextValue.user, errors ?? [])) await opts.audit(request, entry);
    }
    return { ...(errors ? { errors } : {}), data: result.data ?? null };
  }

  return async function plugin(app: FastifyInstance): Promise<void> {
    const path = opts.path ?? '/graphql';
    const config = opts.routeConfig ?? {};
    app.post(path, { config }, async (request, reply) => run(request, reply, request.body));
    app.get(path, { config }, async (request, reply) => run(request, reply, request.query));
  };
}
