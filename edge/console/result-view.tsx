import type { FC } from 'hono/jsx'
import type { EquivalenceResult } from '../../db/repositories/results'
import type { EvaluateResponse } from '../../engine/index'
import { DECISAO_LABEL, formatDateTime, pct } from './format'
import { highlightPieces, type Span } from './highlight'
import { Decisao, Flash } from './layout'

/**
 * One result as a reviewer reads it: both syllabi side by side with the covered topics highlighted
 * from the evidence spans (hovering or focusing a topic lights its span in both texts), missing and
 * critical-missing concepts, hard rules, the score breakdown, versions and any precedent.
 */

type CourseInput = { nome?: string; codigo?: string | null; instituicao?: string | null; carga_horaria?: number | null; ementa?: string; aprovado?: boolean; ano_conclusao?: number | null; nivel?: string | number | null }

export function coursesOf(inputs: unknown): { origins: CourseInput[]; target: CourseInput | null } {
  const i = (inputs ?? {}) as { origem?: CourseInput; origens?: CourseInput[]; destino?: CourseInput }
  return { origins: i.origens ?? (i.origem ? [i.origem] : []), target: i.destino ?? null }
}

const Syllabus: FC<{ text: string; spans: Span[]; label: string }> = ({ text, spans, label }) => (
  <div class="syllabus" aria-label={label}>
    {highlightPieces(text, spans).map((p) =>
      p.ev.length ? (
        <mark data-ev={p.ev.join(' ')} tabindex={0}>
          {p.text}
        </mark>
      ) : (
        p.text
      ),
    )}
  </div>
)

const CourseFacts: FC<{ c: CourseInput }> = ({ c }) => (
  <p class="muted">
    {[c.instituicao, c.codigo, c.carga_horaria != null ? `${c.carga_horaria} h` : null, c.ano_conclusao ? `concluída em ${c.ano_conclusao}` : null, c.nivel != null ? `nível ${c.nivel}` : null, c.aprovado === false ? 'não aprovado' : null]
      .filter(Boolean)
      .join(' · ')}
  </p>
)

type PrecedentMeta = { id: string; revisor?: string; revisado_em?: string; resultado_id?: string; decisao?: string; motivo?: string | null; decisao_motor?: string }

export const ResultView: FC<{ result: Pick<EquivalenceResult, 'id' | 'requestId' | 'createdAt' | 'inputs' | 'inputsPurgedAt' | 'simulation'> }> = ({ result }) => {
  const response = (result as unknown as { response: EvaluateResponse }).response
  const { origins, target } = coursesOf(result.inputs)
  const evidence = response.evidence ?? []
  const precedente = response.meta?.precedente as PrecedentMeta | undefined
  const divergente = response.meta?.precedente_divergente as PrecedentMeta | undefined
  const targetSpans: Span[] = evidence.flatMap((e, i) => (e.destino ? [{ ...e.destino, ev: i }] : []))
  return (
    <div>
      <p>
        <Decisao value={response.decisao} /> <strong>score {response.score}</strong> ·{' '}
        <span class="muted">
          {formatDateTime(result.createdAt)} · pedido <span class="mono">{result.requestId}</span>
          {response.degraded_mode ? ' · modo degradado' : ''}
          {result.simulation ? ' · simulação' : ''}
        </span>
      </p>
      <p>{response.justificativa_curta}</p>
      {precedente && (
        <Flash kind="success">
          Decidido por precedente <span class="mono">{precedente.id}</span>: {DECISAO_LABEL[precedente.decisao ?? ''] ?? precedente.decisao}, revisão de{' '}
          {precedente.revisor} em {precedente.revisado_em ? formatDateTime(new Date(precedente.revisado_em)) : '?'}
          {precedente.resultado_id && (
            <>
              {' '}
              (<a href={`/console/resultados/${precedente.resultado_id}`}>caso de origem</a>)
            </>
          )}
          . O motor decidiria: {DECISAO_LABEL[precedente.decisao_motor ?? ''] ?? precedente.decisao_motor}.
        </Flash>
      )}
      {divergente && (
        <Flash kind="notice">
          Existe um precedente para este par (<span class="mono">{divergente.id}</span>, {DECISAO_LABEL[divergente.decisao ?? ''] ?? divergente.decisao}), mas a ementa mudou
          desde a revisão: o motor decidiu.
          {divergente.resultado_id && (
            <>
              {' '}
              <a href={`/console/resultados/${divergente.resultado_id}`}>Ver o caso revisado</a>.
            </>
          )}
        </Flash>
      )}

      <h2>Ementas lado a lado</h2>
      {!result.inputs && (
        <Flash kind="notice">
          {result.inputsPurgedAt
            ? `Os textos foram removidos pela política de retenção em ${formatDateTime(result.inputsPurgedAt)}; a decisão, os hashes e a auditoria permanecem.`
            : 'Este resultado não guardou os textos de entrada.'}
        </Flash>
      )}
      <div class="pair">
        <section aria-labelledby="col-origem">
          <h3 id="col-origem">Origem (cursada)</h3>
          {origins.map((c, idx) => (
            <div>
              <p>
                <strong>{c.nome}</strong>
              </p>
              <CourseFacts c={c} />
              <Syllabus
                label={`Ementa de origem ${c.nome ?? ''}`}
                text={c.ementa ?? ''}
                spans={evidence.flatMap((e, i) => (e.origem.indice_origem === idx ? [{ ...e.origem, ev: i }] : []))}
              />
            </div>
          ))}
          {!origins.length && (
            <ul>
              {evidence.map((e, i) => (
                <li>
                  <mark data-ev={String(i)} tabindex={0}>
                    {e.origem.trecho}
                  </mark>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="col-destino">
          <h3 id="col-destino">Destino (a aproveitar)</h3>
          {target ? (
            <div>
              <p>
                <strong>{target.nome}</strong>
              </p>
              <CourseFacts c={target} />
              <Syllabus label={`Ementa de destino ${target.nome ?? ''}`} text={target.ementa ?? ''} spans={targetSpans} />
            </div>
          ) : (
            <ul>
              {evidence.flatMap((e, i) =>
                e.destino ? [
                  <li>
                    <mark data-ev={String(i)} tabindex={0}>
                      {e.destino.trecho}
                    </mark>
                  </li>,
                ] : [],
              )}
            </ul>
          )}
        </section>
      </div>

      <div class="grid2">
        <section aria-labelledby="h-cobertos">
          <h2 id="h-cobertos">Tópicos cobertos ({evidence.length})</h2>
          <ul class="topics">
            {evidence.map((e, i) => (
              <li>
                <button type="button" data-ev={String(i)} title={`confiança ${pct(e.confianca)}`}>
                  {e.conceito}
                </button>
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="h-faltantes">
          <h2 id="h-faltantes">Faltantes ({response.faltantes.length})</h2>
          <ul>
            {response.faltantes.map((f) => (
              <li>
                {f}
                {response.criticos_faltantes.includes(f) && <strong> (crítico)</strong>}
              </li>
            ))}
          </ul>
          {response.criticos_faltantes.length > 0 && (
            <p>
              <strong>Críticos faltantes:</strong> {response.criticos_faltantes.join('; ')}
            </p>
          )}
        </section>
      </div>

      <div class="grid2">
        <section aria-labelledby="h-regras">
          <h2 id="h-regras">Regras</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Regra</th>
                <th scope="col">Resultado</th>
                <th scope="col">Detalhe</th>
              </tr>
            </thead>
            <tbody>
              {response.hard_rules.map((r) => (
                <tr>
                  <td>{r.regra}</td>
                  <td>{r.passou === null ? 'não se aplica' : r.passou ? 'passou' : 'falhou'}</td>
                  <td>{r.detalhe}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section aria-labelledby="h-composicao">
          <h2 id="h-composicao">Composição do score</h2>
          <table>
            <tbody>
              {Object.entries(response.breakdown).map(([k, v]) => (
                <tr>
                  <th scope="row">{k}</th>
                  <td>{k === 'penalidade_nivel' ? v : pct(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Versões</h2>
          <p class="mono">
            política {response.policy_version} · taxonomia {response.taxonomy_version ?? '—'} · modelo {response.model_version}
          </p>
        </section>
      </div>
      <details>
        <summary>Justificativa detalhada</summary>
        <p style="white-space:pre-wrap">{response.justificativa_detalhada}</p>
      </details>
    </div>
  )
}
