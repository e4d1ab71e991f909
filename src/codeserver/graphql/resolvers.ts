/**
 * The root resolvers: one function per query and mutation field, each taking the field's
 * arguments and the request context and handing them to the service. graphql-js calls a root
 * value's function fields with `(args, context)`, so no resolver map is needed.
 */
import type { CodeServerUser } from '../caller.ts';
import type { CodeServerService } from '../service.ts';

/** What every resolver gets: the caller (undefined when the request was not authenticated). */
export interface GraphQLContext {
  user: CodeServerUser | undefined;
}

type Id = { id: string };

/** The root value for `service`: queries and mutations side by side (field names do not clash). */
export function codeServerRoot(service: CodeServerService) {
  return {
    // Queries
    myCodeServers: (_: object, ctx: GraphQLContext) => service.myCodeServers(ctx.user),
    codeServer: ({ id }: Id, ctx: GraphQLContext) => service.codeServer(ctx.user, id),
    codeServerStatus: ({ id }: Id, ctx: GraphQLContext) => service.codeServerStatus(ctx.user, id),
    codeServerLogs: ({ id, lines }: Id & { lines?: number | null }, ctx: GraphQLContext) => service.codeServerLogs(ctx.user, id, lines ?? undefined),
    health: () => service.health(),
    instanceStats: (_: object, ctx: GraphQLContext) => service.instanceStats(ctx.user),
    // Mutations
    provisionCodeServer: ({ repoOwner, repoName }: { repoOwner: string; repoName: string }, ctx: GraphQLContext) =>
      service.provisionCodeServer(ctx.user, repoOwner, repoName),
    stopCodeServer: ({ id }: Id, ctx: GraphQLContext) => service.stopCodeServer(ctx.user, id),
    startCodeServer: ({ id }: Id, ctx: GraphQLContext) => service.startCodeServer(ctx.user, id),
    deleteCodeServer: ({ id }: Id, ctx: GraphQLContext) => service.deleteCodeServer(ctx.user, id),
    syncRepository: ({ id }: Id, ctx: GraphQLContext) => service.syncRepository(ctx.user, id),
  };
}
