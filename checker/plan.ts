/**
 * A check plan (plans/*.yaml): data only, one per kind of system — which of the system's services
 * the checker calls, which interactions the system must make as a client and in what order, and
 * which faults are injected into its traffic with the reaction expected. Read once, checked
 * against PLAN_SCHEMA (a problem names the file, line and pointer), then frozen.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Catalog } from '../gateway/catalog/catalog.ts';
import { matchesSystemPattern } from '../gateway/catalog/catalog.ts';
import { readSource, schemaFailure, type SourceFile } from '../gateway/catalog/source.ts';
import { createAjv } from '../gateway/protocol/ajv.ts';
import { packageFile } from '../gateway/home/package-root.ts';

/** A message on `service` (`{system}` stands for the system under test) whose body has `where`'s values. */
export interface PlanMessage {
  readonly service: string;
  /** Body fields and the values allowed for each (at the top, or in any item of a `data` list). */
  readonly where?: Readonly<Record<string, readonly (string | number | boolean)[]>>;
}

/** One interaction a client must make: its message, or one of the others it may make instead (the same step through a real API's door). */
export interface PlanStep extends PlanMessage {
  readonly name: string;
  readonly or?: readonly PlanMessage[];
}

export interface PlanScenario {
  readonly name: string;
  /** What a mock under test is asked to do so that it makes these interactions (`lgsp check --mock`). */
  readonly rehearsal: { readonly procedure: string; readonly dossiers: number };
  readonly steps: readonly PlanStep[];
}

export interface PlanFault {
  readonly name: string;
  readonly service: string;
  readonly inject: { readonly error?: string; readonly outage?: boolean; readonly latencyMs?: number; readonly after?: number; readonly calls?: number };
  /**
   * The reaction, for each case the fault struck: the same call made again and answered within
   * `retryWithinSeconds`, or a status to the officer (`report`, e.g. dossier.progress
   * supplement_required) within `reportWithinSeconds`.
   */
  readonly expect: { readonly retryWithinSeconds: number } | { readonly reportWithinSeconds: number; readonly report: PlanStep };
}

export interface PlanUnique {
  readonly name: string;
  readonly service: string;
  /** The body field that must not repeat across the system's messages on `service`. */
  readonly field: string;
}

export interface CheckPlan {
  readonly file: string;
  readonly plan: string;
  readonly title: { readonly vi: string; readonly en: string };
  /** Patterns of the systems this plan is for (`VN/PROV/*\/MOTCUA`). */
  readonly systems: readonly string[];
  readonly provider: { readonly examples: boolean; readonly generated: boolean };
  readonly client?: {
    readonly windowSeconds: number;
    /**
     * What tells one case's messages apart: the envelope's `issue`, else the first of these body
     * fields found (at the top, or in each item of a `data` list: a batch belongs to each of its cases).
     */
    readonly caseFields: readonly string[];
    readonly scenarios: readonly PlanScenario[];
    readonly unique: readonly PlanUnique[];
    readonly faults: readonly PlanFault[];
  };
}

const text = { type: 'string', minLength: 1, maxLength: 200 } as const;
const service = { type: 'string', pattern: '^[A-Za-z0-9{}*._/-]+/v[0-9]+$', maxLength: 200 } as const;
const where = {
  type: 'object', maxProperties: 10,
  additionalProperties: { type: 'array', minItems: 1, maxItems: 20, items: { type: ['string', 'number', 'boolean'] } },
} as const;

/** What a plan file may hold. */
export const PLAN_SCHEMA = {
  type: 'object', additionalProperties: false, required: ['plan', 'title', 'systems', 'provider'],
  properties: {
    plan: { type: 'string', pattern: '^[a-z0-9-]{1,64}$' },
    title: { type: 'object', additionalProperties: false, required: ['vi', 'en'], properties: { vi: text, en: text } },
    description: { type: 'string', maxLength: 2000 },
    systems: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'string', pattern: '^[A-Za-z0-9*._/-]{1,100}$' } },
    provider: {
      type: 'object', additionalProperties: false,
      properties: { examples: { type: 'boolean', default: true }, generated: { type: 'boolean', default: true } },
    },
    client: {
      type: 'object', additionalProperties: false, required: ['windowSeconds', 'scenarios'],
      properties: {
        windowSeconds: { type: 'integer', minimum: 1, maximum: 86_400 },
        caseFields: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 100 }, default: ['dossierCode', 'MaHoSo', 'DocCode'] },
        scenarios: {
          type: 'array', minItems: 1, maxItems: 20,
          items: {
            type: 'object', additionalProperties: false, required: ['name', 'rehearsal', 'steps'],
            properties: {
              name: text,
              rehearsal: {
                type: 'object', additionalProperties: false, required: ['procedure', 'dossiers'],
                properties: { procedure: { type: 'string', maxLength: 40 }, dossiers: { type: 'integer', minimum: 1, maximum: 20 } },
              },
              steps: {
                type: 'array', minItems: 1, maxItems: 40,
                items: {
                  type: 'object', additionalProperties: false, required: ['name', 'service'],
                  properties: {
                    name: text, service, where,
                    or: { type: 'array', maxItems: 5, items: { type: 'object', additionalProperties: false, required: ['service'], properties: { service, where } } },
                  },
                },
              },
            },
          },
        },
        unique: {
          type: 'array', maxItems: 20, default: [],
          items: { type: 'object', additionalProperties: false, required: ['name', 'service', 'field'], properties: { name: text, service, field: { type: 'string', maxLength: 100 } } },
        },
        faults: {
          type: 'array', maxItems: 20, default: [],
          items: {
            type: 'object', additionalProperties: false, required: ['name', 'service', 'inject', 'expect'],
            properties: {
              name: text, service,
              inject: {
                type: 'object', additionalProperties: false, minProperties: 1,
                properties: {
                  error: { type: 'string', maxLength: 100 }, outage: { type: 'boolean' }, latencyMs: { type: 'integer', minimum: 1, maximum: 600_000 },
                  after: { type: 'integer', minimum: 0, maximum: 1000 }, calls: { type: 'integer', minimum: 1, maximum: 1000 },
                },
              },
              expect: {
                oneOf: [
                  { type: 'object', additionalProperties: false, required: ['retryWithinSeconds'], properties: { retryWithinSeconds: { type: 'integer', minimum: 1, maximum: 3600 } } },
                  {
                    type: 'object', additionalProperties: false, required: ['reportWithinSeconds', 'report'],
                    properties: {
                      reportWithinSeconds: { type: 'integer', minimum: 1, maximum: 3600 },
                      report: {
                        type: 'object', additionalProperties: false, required: ['name', 'service'],
                        properties: { name: text, service, where, or: { type: 'array', maxItems: 5, items: { type: 'object', additionalProperties: false, required: ['service'], properties: { service, where } } } },
                      },
                    },
                  },
                ],
              },
            },
          },
        },
      },
    },
  },
} as const;

const validate = createAjv({ useDefaults: true }).compile(PLAN_SCHEMA);

/** The folder of the plans this project ships. */
export const PLANS_DIR = packageFile('plans');

/**
 * Reads a plan and checks it against the schema and the catalog: every service it names exists
 * (with `{system}` for the system under test), every error it injects is declared.
 */
export function loadPlan(file: string, catalog: Catalog): CheckPlan {
  const source = readSource(file);
  if (!validate(source.data)) throw schemaFailure(source, validate.errors);
  const plan = { file, ...(source.data as Omit<CheckPlan, 'file'>) };
  checkAgainstCatalog(plan, catalog, source);
  return Object.freeze(plan);
}

function checkAgainstCatalog(plan: CheckPlan, catalog: Catalog, source: SourceFile): void {
  const known = (id: string) => id.includes('{system}') || catalog.services.has(id);
  plan.client?.scenarios.forEach((s, i) => s.steps.forEach((step, j) => {
    if (!known(step.service)) throw source.fail(`/client/scenarios/${i}/steps/${j}/service`, `no service ${step.service} in the catalog`);
    step.or?.forEach((m, k) => {
      if (!known(m.service)) throw source.fail(`/client/scenarios/${i}/steps/${j}/or/${k}/service`, `no service ${m.service} in the catalog`);
    });
  }));
  plan.client?.unique.forEach((u, i) => {
    if (!known(u.service)) throw source.fail(`/client/unique/${i}/service`, `no service ${u.service} in the catalog`);
  });
  plan.client?.faults.forEach((f, i) => {
    const svc = catalog.services.get(f.service);
    if (!svc) throw source.fail(`/client/faults/${i}/service`, `no service ${f.service} in the catalog`);
    if ('report' in f.expect) {
      for (const [k, m] of [f.expect.report, ...(f.expect.report.or ?? [])].entries()) {
        if (!known(m.service)) throw source.fail(`/client/faults/${i}/expect/report${k === 0 ? '' : `/or/${k - 1}`}/service`, `no service ${m.service} in the catalog`);
      }
    }
    if (f.inject.error && !svc.contract.errors.some((e) => e.type === f.inject.error)) {
      throw source.fail(`/client/faults/${i}/inject/error`, `${f.service} does not declare ${f.inject.error} (${svc.contract.errors.map((e) => e.type).join(', ')})`);
    }
  });
}

/** The shipped plan for `system`: the first in plans/ whose patterns match it. */
export function planFor(system: string, catalog: Catalog, dir = PLANS_DIR): CheckPlan | undefined {
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const plan = loadPlan(join(dir, name), catalog);
    if (plan.systems.some((p) => matchesSystemPattern(p, system))) return plan;
  }
  return undefined;
}

/** A plan's service with `{system}` filled in. */
export const serviceOf = (service: string, system: string) => service.replaceAll('{system}', system);
