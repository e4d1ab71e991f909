/**
 * The seed's GraphQL schema, as its SDL (types, the InstanceStatus enum, queries and mutations
 * exactly as the seed names them), built once into an executable schema whose resolvers are the
 * root value's functions (resolvers.ts).
 */
import { buildSchema, type GraphQLSchema } from 'graphql';

/** The seed's SDL. */
export const CODESERVER_SDL = /* GraphQL */ `
type CodeServerInstance {
  id: String!
  userId: String!
  repoName: String!
  repoOwner: String!
  url: String!
  status: InstanceStatus!
  createdAt: String!
  lastAccessedAt: String
  storageUsed: String
}

enum InstanceStatus {
  PENDING
  STARTING
  RUNNING
  STOPPING
  STOPPED
  ERROR
}

type ProvisionResult {
  instance: CodeServerInstance!
  message: String!
  isNew: Boolean!
}

type InstanceStats {
  totalInstances: Int!
  runningInstances: Int!
  stoppedInstances: Int!
  totalStorageUsed: String!
}

type Query {
  "Get current user's code-server instances"
  myCodeServers: [CodeServerInstance!]!

  "Get specific instance by ID"
  codeServer(id: String!): CodeServerInstance

  "Get instance status"
  codeServerStatus(id: String!): InstanceStatus!

  "Get instance logs"
  codeServerLogs(id: String!, lines: Int): String!

  "Health check"
  health: Boolean!

  "Stats (admin only)"
  instanceStats: InstanceStats!
}

type Mutation {
  "Provision a new code-server instance for a repository"
  provisionCodeServer(repoOwner: String!, repoName: String!): ProvisionResult!

  "Stop a running instance (keeps PVC)"
  stopCodeServer(id: String!): Boolean!

  "Start a stopped instance"
  startCodeServer(id: String!): CodeServerInstance!

  "Delete instance completely (removes PVC)"
  deleteCodeServer(id: String!): Boolean!

  "Pull latest changes from repo"
  syncRepository(id: String!): Boolean!
}
`;

/** The executable schema (built once; graphql-js schemas are immutable). */
export const codeServerSchema: GraphQLSchema = buildSchema(CODESERVER_SDL);
