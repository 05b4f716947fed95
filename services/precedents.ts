import { createPrecedentsRepository, type Precedent } from '../db/repositories/precedents'
import type { EquivalenceResult } from '../db/repositories/results'
import type { Review } from '../db/repositories/reviews'
import { EvaluateRequestSchema, type Course, type EvaluateRequest, type EvaluateResponse } from '../engine/index'
import type { ServiceContext } from './context'
import { sha256Hex } from './crypto'

/**
 * Precedents: a reviewed pair becomes a rule that later evaluations of the same pair reuse.
 *
 * The pair's identity is the origin course(s) and the target course, each as institution + code +
 * normalised name (case, accents, punctuation and spacing folded), plus a hash of each syllabus in
 * the same normalised form: the same courses with a changed syllabus are recognised, and not
 * treated as the reviewed pair. With several origins (N:1) their identities are sorted, so the
 * order they were sent in does not matter.
 */

export type PairKey = { originKey: string; originSyllabusHash: string; targetKey: string; targetSyllabusHash: string; originLabel: string; targetLabel: string }

/** Lower case, no accents, runs of anything but letters and digits as one space. */
export function normalise(text: string | null | undefined): string {
  return (text ?? '')
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
}

const identityOf = (c: Pick<Course, 'instituicao' | 'codigo' | 'nome'>) => `${normalise(c.instituicao)}|${normalise(c.codigo)}|${normalise(c.nome)}`

const originsOf = (request: Pick<EvaluateRequest, 'origem' | 'origens'>) => request.origens ?? (request.origem ? [request.origem] : [])

/**
 * The pair's identity alone (no syllabus hashes): what the tenant's set of ruled pairs is keyed by.
 * Equal to `originKey` / `targetKey` of `pairKeyOf` (origins sorted by identity; two origins of one
 * identity give the same key in either order).
 */
export function pairIdentityOf(request: Pick<EvaluateRequest, 'origem' | 'origens' | 'destino'>): Pick<PairKey, 'originKey' | 'targetKey'> {
  return {
    originKey: originsOf(request).map(identityOf).sort().join(' + '),
    targetKey: identityOf(request.destino),
  }
}

export function pairKeyOf(request: Pick<EvaluateRequest, 'origem' | 'origens' | 'destino'>): PairKey {
  const origins = originsOf(request)
    .map((c) => ({ id: identityOf(c), text: normalise(c.ementa), nome: c.nome }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
  return {
    originKey: origins.map((o) => o.id).join(' + '),
    originSyllabusHash: sha256Hex(origins.map((o) => o.text).join('\n')),
    targetKey: identityOf(request.destino),
    targetSyllabusHash: sha256Hex(normalise(request.destino.ementa)),
    originLabel: origins.map((o) => o.nome).join(' + '),
    targetLabel: request.destino.nome,
  }
}

/** What an evaluation learns from the precedents of its pair. */
export type PrecedentCheck =
  | { kind: 'none' }
  | { kind: 'applies'; precedent: Precedent & { reviewerLabel: string | null } }
  /** A rule of this pair is in force, but a syllabus differs from the one reviewed: the engine decides. */
  | { kind: 'syllabus_changed'; precedent: Precedent }

/**
 * The pair's rule, if any. The tenant's set of pairs with an active rule is kept in the version
 * cache (VERSION_CACHE_TTL_MS): a pair outside it costs no query, one inside it one indexed
 * look-up (precedents_lookup_idx), then the hash comparison. Every write of a rule through the
 * services below invalidates the set on this instance at once; other instances see it within the
 * cache's TTL, as they see a new binding or default policy.
 *
 * The key is worked out only as far as needed: nothing for a tenant without rules (most), the
 * normalised names to look in the set, and the syllabi's normalised hashes only for a pair that
 * has a rule — normalising whole syllabi was a measurable part of every evaluation.
 */
export async function checkPrecedent(
  ctx: Pick<ServiceContext, 'db' | 'versions'>,
  tenantId: string,
  request: Pick<EvaluateRequest, 'origem' | 'origens' | 'destino'>,
  referenceDate: string,
): Promise<PrecedentCheck> {
  const pairs = await ctx.versions.get(tenantId, 'precedent-pairs', () => createPrecedentsRepository(ctx.db).activePairs(tenantId))
  if (pairs && pairs.size === 0) return { kind: 'none' }
  const ids = pairIdentityOf(request)
  if (pairs && !pairs.has(`${ids.originKey}\u0000${ids.targetKey}`)) return { kind: 'none' }
  const found = await createPrecedentsRepository(ctx.db).findInForce(tenantId, ids.originKey, ids.targetKey, referenceDate)
  if (!found) return { kind: 'none' }
  const key = pairKeyOf(request)
  if (found.originSyllabusHash !== key.originSyllabusHash || found.targetSyllabusHash !== key.targetSyllabusHash) {
    return { kind: 'syllabus_changed', precedent: found }
  }
  return { kind: 'applies', precedent: found }
}

/** An admin ends a rule's validity; null when it is not the tenant's or not active. */
export async function expirePrecedent({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'versions'>
  input: { tenantId: string; actorKeyId: string; id: string; validUntil: string }
}): Promise<Precedent | null> {
  const p = await createPrecedentsRepository(ctx.db).expire(input.tenantId, input.id, input.validUntil, input.actorKeyId)
  ctx.versions.invalidate(input.tenantId)
  return p
}

/** An admin withdraws a rule at once; null when it is not the tenant's or not active. */
export async function revokePrecedent({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'versions'>
  input: { tenantId: string; actorKeyId: string; id: string }
}): Promise<Precedent | null> {
  const p = await createPrecedentsRepository(ctx.db).revoke(input.tenantId, input.id, input.actorKeyId)
  ctx.versions.invalidate(input.tenantId)
  return p
}

/**
 * The engine's answer turned into the precedent's: its decision, a justification citing the rule
 * (id, reviewer, date, the result it came from) and `meta.precedente`. Breakdown, rules and
 * evidence stay the engine's, so a reader still sees what the texts have in common.
 */
export function applyPrecedent(response: EvaluateResponse, p: Precedent & { reviewerLabel: string | null }): EvaluateResponse {
  const date = p.createdAt.toISOString().slice(0, 10)
  const who = p.reviewerLabel ?? p.reviewerKeyId ?? 'revisor desconhecido'
  const cite = `Decisão por precedente ${p.id}: revisão de ${who} em ${date} (resultado ${p.resultId}), ${p.decisao}${p.motivo ? ` — ${p.motivo}` : ''}.`
  return {
    ...response,
    decisao: p.decisao,
    justificativa_curta: cite,
    justificativa_detalhada: `${cite}\n\nAvaliação automática (não aplicada): ${response.decisao}, score ${response.score}. ${response.justificativa_detalhada}`,
    meta: {
      ...response.meta,
      precedente: {
        id: p.id,
        decisao: p.decisao,
        motivo: p.motivo || null,
        revisor: who,
        revisor_key_id: p.reviewerKeyId,
        revisado_em: p.createdAt.toISOString(),
        resultado_id: p.resultId,
        revisao_id: p.reviewId,
        valido_de: p.validFrom,
        valido_ate: p.validUntil,
        decisao_motor: response.decisao,
      },
    },
  }
}

/** `meta.precedente_divergente`: a rule exists for the pair, but the syllabus is not the one reviewed. */
export function noteSyllabusChanged(response: EvaluateResponse, p: Precedent): EvaluateResponse {
  return {
    ...response,
    meta: { ...response.meta, precedente_divergente: { id: p.id, decisao: p.decisao, motivo: 'ementa_alterada', resultado_id: p.resultId } },
  }
}

/**
 * The rule a review makes, or null when the result cannot give one: its inputs are gone (retention)
 * or do not parse, or it was a what-if simulation.
 */
export function precedentFromReview(
  result: Pick<EquivalenceResult, 'id' | 'inputs' | 'simulation' | 'policyVersion' | 'taxonomyVersion' | 'modelVersion' | 'createdAt'>,
  review: Pick<Review, 'id' | 'label' | 'motivo' | 'reviewerKeyId' | 'createdAt'>,
  validity: { from?: string; until?: string | null } = {},
) {
  if (result.simulation || !result.inputs) return null
  const parsed = EvaluateRequestSchema.safeParse(result.inputs)
  if (!parsed.success) return null
  return {
    ...pairKeyOf(parsed.data),
    decisao: review.label,
    motivo: review.motivo,
    resultId: result.id,
    reviewId: review.id,
    reviewerKeyId: review.reviewerKeyId,
    policyVersion: result.policyVersion,
    taxonomyVersion: result.taxonomyVersion,
    modelVersion: result.modelVersion,
    // Valid for every evaluation from the day it was reviewed on, until an admin ends it.
    validFrom: validity.from ?? '1900-01-01',
    validUntil: validity.until ?? null,
  }
}

/** Whether the policy lets precedents decide (`usar_precedentes`, default true). */
export function precedentsOn(policy: { usar_precedentes?: boolean }): boolean {
  return policy.usar_precedentes !== false
}
