/**
 * Templates: the catalog (any signed-in user reads it, from the cache) and its management
 * (admins create, replace and delete Template resources).
 */
import type { FastifyPluginAsync } from 'fastify';
import { apiVersion } from '../../apis/stream/v1alpha1/groupversion.ts';
import { TemplateSpec, type Template } from '../../apis/stream/v1alpha1/template.ts';
import { validateTemplateSpec } from '../../apis/stream/v1alpha1/template-validation.ts';
import type { ApiDeps } from '../api-deps.ts';
import { invalidInput, notFound } from '../errors.ts';
import { TEMPLATE } from '../kube/kinds.ts';
import { kubeCall } from '../kube/kube-errors.ts';
import { idParams, kubeObject, listOf, objectName, plainSchema } from '../schemas.ts';
import { forClient } from './sessions.ts';

const specSchema = plainSchema(TemplateSpec);

function checkSpec(spec: TemplateSpec): void {
  const problem = validateTemplateSpec(spec)[0];
  if (problem) throw invalidInput(`body.${problem.field ?? 'spec'}`, problem.message);
}

/** The template routes. */
export function templateRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/', {
      schema: { summary: 'The template catalog', tags: ['templates'], response: { 200: listOf(kubeObject, 'Templates, by name') } },
    }, async () => {
      const items = deps.view.list<Template>(TEMPLATE).sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
      return { items: items.map(forClient) };
    });

    app.get<{ Params: { id: string } }>('/:id', {
      schema: { summary: 'Read one template', tags: ['templates'], params: idParams, response: { 200: kubeObject } },
    }, async (request) => {
      const t = deps.view.get<Template>(TEMPLATE, request.params.id);
      if (!t) throw notFound(`template ${request.params.id}`);
      return forClient(t);
    });

    app.post<{ Body: { name: string; spec: TemplateSpec } }>('/', {
      config: { auth: 'admin', audit: 'template.create' },
      schema: {
        summary: 'Create a template', tags: ['templates'],
        body: { type: 'object', required: ['name', 'spec'], additionalProperties: false, properties: { name: objectName, spec: specSchema } },
        response: { 201: kubeObject },
      },
    }, async (request, reply) => {
      checkSpec(request.body.spec);
      const template: Template = { apiVersion, kind: 'Template', metadata: { name: request.body.name, namespace: deps.view.namespace }, spec: request.body.spec };
      const created = await kubeCall(() => deps.view.client.create(template));
      await deps.view.waitFor(TEMPLATE, request.body.name, (t) => t !== undefined, deps.settings.cacheWaitMs);
      return reply.code(201).send(forClient(created));
    });

    app.put<{ Params: { id: string }; Body: { spec: TemplateSpec } }>('/:id', {
      config: { auth: 'admin', audit: 'template.update' },
      schema: {
        summary: 'Replace a template\'s spec (running sessions keep theirs until they next start)', tags: ['templates'], params: idParams,
        body: { type: 'object', required: ['spec'], additionalProperties: false, properties: { spec: specSchema } },
        response: { 200: kubeObject },
      },
    }, async (request) => {
      checkSpec(request.body.spec);
      const current = deps.view.get<Template>(TEMPLATE, request.params.id);
      if (!current) throw notFound(`template ${request.params.id}`);
      const updated = await kubeCall(() => deps.view.client.update<Template>({ ...current, spec: request.body.spec }));
      return forClient(updated);
    });

    app.delete<{ Params: { id: string } }>('/:id', {
      config: { auth: 'admin', audit: 'template.delete' },
      schema: { summary: 'Delete a template (running sessions keep running)', tags: ['templates'], params: idParams, response: { 204: { type: 'null' } } },
    }, async (request, reply) => {
      await kubeCall(() => deps.view.client.delete({ apiVersion, kind: 'Template', metadata: { name: request.params.id, namespace: deps.view.namespace } }));
      return reply.code(204).send();
    });
  };
}
