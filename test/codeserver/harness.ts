/**
 * Test harness of the code-server service: an embedded control plane with the StreamSpace CRDs,
 * the Session and Template controllers running in-process (they build the Deployment, Service,
 * Ingress and home claim, and the simulated kubelet runs the pods), the built-in code-server
 * Template, a fake Gitea, and the GraphQL plugin on a fastify app with a small token table for
 * authentication (standing in for the API's Authenticator, which api-auth.ts adapts).
 */
import fs from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { load } from 'js-yaml';
import { Registry } from 'prom-client';
import type { Template } from '../../src/apis/stream/v1alpha1/template.ts';
import type { CodeServerUser } from '../../src/codeserver/caller.ts';
import { CODESERVER_MANAGER } from '../../src/codeserver/credential-secret.ts';
import { GiteaClient } from '../../src/codeserver/gitea/client.ts';
import { codeServerGraphQL } from '../../src/codeserver/graphql/plugin.ts';
import { KubePodLogReader } from '../../src/codeserver/pod-logs.ts';
import { CodeServerService } from '../../src/codeserver/service.ts';
import { createCodeServer } from '../../src/codeserver/setup.ts';
import { defaultCodeServerSettings, type CodeServerSettings } from '../../src/codeserver/settings.ts';
import { streamspaceResources, TemplateKind } from '../../src/controllers/kinds.ts';
import { KubeClient } from '../../src/runtime/client.ts';
import { eventually, rawRequest } from '../support/control-plane.ts';
import { read, startControllerCluster, startControllers, type ControllerTestCluster, type RunningControllers } from '../controllers/support.ts';
import { startFakeGitea, type FakeGitea } from './fake-gitea.ts';

/** Namespace of the sessions in these tests. */
export const NS = 'devs';

/** Bearer tokens the test authenticator knows. They double as the users' Gitea tokens. */
export const USERS: Record<string, CodeServerUser> = {
  'alice-token': { username: 'alice', roles: ['user'], token: 'alice-token' },
  'bob-token': { username: 'bob', roles: ['user'], token: 'bob-token' },
  'carol-token': { username: 'carol', roles: ['user'], token: 'carol-token' },
  'admin-token': { username: 'root', roles: ['admin'], token: 'admin-token' },
};

/** A GraphQL answer. */
export interface GqlAnswer {
  status: number;
  data: any;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; field?: string } }[];
}

/** The running harness. */
export interface Harness {
  cluster: ControllerTestCluster;
  controllers: RunningControllers;
  fake: FakeGitea;
  registry: Registry;
  settings: CodeServerSettings;
  /** The service's own client (the one the GraphQL resolvers use). */
  client: KubeClient;
  /** A GraphQL app over a service with `overrides` of the harness settings. */
  app(overrides?: Partial<CodeServerSettings>): Promise<FastifyInstance>;
  /** POSTs a GraphQL request to the default app as the bearer of `token` (none when undefined). */
  gql(token: string | undefined, query: string, variables?: Record<string, unknown>): Promise<GqlAnswer>;
  stop(): Promise<void>;
}

async function authenticate(request: FastifyRequest): Promise<CodeServerUser | undefined> {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const user = USERS[header.replace(/^Bearer\s+/i, '')];
  if (!user) throw new Error('invalid token');
  return user;
}

/** Sends a GraphQL request to `app`. */
export async function gqlTo(app: FastifyInstance, token: string | undefined, query: string, variables?: Record<string, unknown>): Promise<GqlAnswer> {
  const res = await app.inject({
    method: 'POST', url: '/graphql', payload: { query, variables },
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const body = res.json();
  return { status: res.statusCode, data: body.data, errors: body.errors };
}

async function installTemplate(cluster: ControllerTestCluster, name: string, baseImage?: string): Promise<void> {
  const template = load(fs.readFileSync(new URL('../../deploy/templates/code-server.yaml', import.meta.url), 'utf8')) as Template;
  await cluster.api.create<Template>({
    ...template, metadata: { ...template.metadata, name, namespace: NS }, spec: { ...template.spec, ...(baseImage ? { baseImage } : {}) },
  });
  await eventually(`template ${name} valid`, async () => (await read<Template>(cluster.api, TemplateKind, NS, name))?.status?.valid);
}

/** Starts everything; `broken` is a second template whose image never pulls. */
export async function startHarness(): Promise<Harness> {
  const cluster = await startControllerCluster([NS]);
  const controllers = startControllers(cluster);
  await installTemplate(cluster, 'code-server');
  await installTemplate(cluster, 'code-server-broken', 'registry.invalid/broken-code-server:1');
  await rawRequest(cluster.cp, 'PUT', '/debug/simulation', { failImages: ['^registry\\.invalid/'] });
  const fake = await startFakeGitea();
  const client = new KubeClient({ kubeConfig: cluster.kc, fieldManager: CODESERVER_MANAGER, resources: streamspaceResources() });
  const registry = new Registry();
  const settings: CodeServerSettings = {
    ...defaultCodeServerSettings(), namespace: NS, giteaUrl: fake.url, giteaServiceUrl: fake.url, giteaToken: 'service-token',
    accessCheck: 'caller-token', cloneCredential: 'caller-token', giteaTimeoutMs: 500, timeoutMs: 15_000,
    // Small, so every test's pods fit the simulated nodes.
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
  };
  const apps: FastifyInstance[] = [];
  const makeApp = async (overrides: Partial<CodeServerSettings> = {}) => {
    const s = { ...settings, ...overrides };
    const service = new CodeServerService({
      client, settings: s, podLogs: new KubePodLogReader(client), gitea: new GiteaClient({ baseUrl: s.giteaServiceUrl, timeoutMs: s.giteaTimeoutMs }),
    });
    const app = Fastify();
    await app.register(codeServerGraphQL({ service, authenticate }));
    apps.push(app);
    return app;
  };
  // The main app is wired the way a host process wires it.
  const main = Fastify();
  await main.register(createCodeServer({ kubeConfig: cluster.kc, settings, registry }).graphql(authenticate));
  apps.push(main);
  return {
    cluster, controllers, fake, registry, settings, client,
    app: (overrides) => makeApp(overrides),
    gql: (token, query, variables) => gqlTo(main, token, query, variables),
    async stop() {
      for (const app of apps) await app.close();
      await fake.stop();
      await controllers.stop();
      await cluster.stop();
    },
  };
}
