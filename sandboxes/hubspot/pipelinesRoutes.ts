/** Deal pipelines: read-only, the default pipeline only. Metadata values are strings. */
import type { ApiRoute } from './api.ts';
import { badRequest, notFound } from './errors.ts';
import { DEAL_PIPELINES, SCHEMA_EPOCH, resolveObjectType, type Pipeline, type PipelineStage } from './schema.ts';

function stageJson(s: PipelineStage): Record<string, unknown> {
  return {
    label: s.label,
    displayOrder: s.displayOrder,
    metadata: { isClosed: String(s.isClosed), probability: s.probability },
    id: s.id,
    createdAt: SCHEMA_EPOCH,
    updatedAt: SCHEMA_EPOCH,
    archived: false,
    writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
  };
}

function pipelineJson(p: Pipeline): Record<string, unknown> {
  return {
    label: p.label,
    displayOrder: p.displayOrder,
    id: p.id,
    stages: p.stages.map(stageJson),
    createdAt: SCHEMA_EPOCH,
    updatedAt: SCHEMA_EPOCH,
    archived: false,
  };
}

function dealsOnly(objectType: string): void {
  if (resolveObjectType(objectType) !== 'deals') throw badRequest(`Pipelines are not supported for object type ${objectType}`);
}

function findPipeline(id: string): Pipeline {
  const p = DEAL_PIPELINES.find((x) => x.id === id);
  if (p === undefined) throw notFound(`Unable to find pipeline ${id}`);
  return p;
}

const scopes = (): string[] => ['crm.objects.deals.read', 'crm.schemas.deals.read'];

export function pipelineRoutes(): ApiRoute[] {
  return [
    {
      method: 'get',
      path: '/crm/v3/pipelines/:objectType',
      scopes,
      handle: ({ params }) => {
        dealsOnly(params.objectType);
        return { status: 200, body: { results: DEAL_PIPELINES.map(pipelineJson) } };
      },
    },
    {
      method: 'get',
      path: '/crm/v3/pipelines/:objectType/:pipelineId',
      scopes,
      handle: ({ params }) => {
        dealsOnly(params.objectType);
        return { status: 200, body: pipelineJson(findPipeline(params.pipelineId)) };
      },
    },
    {
      method: 'get',
      path: '/crm/v3/pipelines/:objectType/:pipelineId/stages',
      scopes,
      handle: ({ params }) => {
        dealsOnly(params.objectType);
        return { status: 200, body: { results: findPipeline(params.pipelineId).stages.map(stageJson) } };
      },
    },
  ];
}
