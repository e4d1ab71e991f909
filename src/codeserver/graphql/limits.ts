/**
 * Limits on what one GraphQL request may ask for, checked after validation and before anything
 * runs: aliases make one request do the work of hundreds (50 aliased provisionCodeServer made 100
 * Gitea calls; 200 aliased myCodeServers ~400 Kubernetes lists). Counted over the executed
 * operation with its fragments expanded: root fields (each alias counts), mutation root fields,
 * selection depth, and a cost of 1 per field plus {@link MUTATION_COST} per mutation root field.
 */
import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

export const GRAPHQL_LIMITS = { rootFields: 10, mutationFields: 3, depth: 8, cost: 200 } as const;

/** What a mutation root field costs beyond 1 (it calls Gitea and the cluster). */
export const MUTATION_COST = 20;

interface Tally {
  fields: number;
  depth: number;
}

function walk(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, depth: number, tally: Tally, seen: Set<string>): number {
  let rootFields = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      rootFields++;
      tally.fields++;
      tally.depth = Math.max(tally.depth, depth);
      if (selection.selectionSet) walk(selection.selectionSet, fragments, depth + 1, tally, seen);
    } else {
      const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments.get(selection.name.value)?.selectionSet;
      const key = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : undefined;
      // validate() refuses fragment cycles; the guard only keeps a bad document from looping here.
      if (!inner || (key && seen.has(key))) continue;
      if (key) seen.add(key);
      rootFields += walk(inner, fragments, depth, tally, seen);
      if (key) seen.delete(key);
    }
  }
  return rootFields;
}

/** Why `operation` of `document` asks for too much, or undefined. */
export function limitProblem(document: DocumentNode, operation: OperationDefinitionNode): string | undefined {
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const tally: Tally = { fields: 0, depth: 0 };
  const roots = walk(operation.selectionSet, fragments, 1, tally, new Set());
  const mutation = operation.operation === 'mutation';
  const cost = tally.fields + (mutation ? roots * MUTATION_COST : 0);
  if (mutation && roots > GRAPHQL_LIMITS.mutationFields) return `a request may run at most ${GRAPHQL_LIMITS.mutationFields} mutation fields (aliases count), this one has ${roots}`;
  if (roots > GRAPHQL_LIMITS.rootFields) return `a request may ask for at most ${GRAPHQL_LIMITS.rootFields} top-level fields (aliases count), this one has ${roots}`;
  if (tally.depth > GRAPHQL_LIMITS.depth) return `a request may nest at most ${GRAPHQL_LIMITS.depth} levels, this one nests ${tally.depth}`;
  if (cost > GRAPHQL_LIMITS.cost) return `the request costs ${cost}, over the limit of ${GRAPHQL_LIMITS.cost} (1 per field, ${MUTATION_COST + 1} per mutation)`;
  return undefined;
}
