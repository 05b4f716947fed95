import type { Context, Hono } from 'hono'
import { EvaluateRequestSchema, type EvaluateRequestInput } from '../../../engine/index'
import { evaluateAndStore } from '../../../services/evaluation'
import { ServiceError } from '../../../services/errors'
import { Csrf, Flash, Layout } from '../layout'
import { requireSession, type ConsoleEnv } from '../session'
import { viewerOf } from './result'

/** Ready pairs to try (our own text, written for the demo taxonomy's subjects). */
export const EXAMPLES: Record<string, { titulo: string; request: EvaluateRequestInput }> = {
  pt: {
    titulo: 'Português: Introdução à Programação → Algoritmos e Programação I',
    request: {
      origem: {
        nome: 'Introdução à Programação',
        codigo: 'INF100',
        instituicao: 'Universidade Federal do Exemplo',
        carga_horaria: 60,
        ano_conclusao: 2023,
        aprovado: true,
        ementa:
          'Conceitos básicos de algoritmos. Variáveis, tipos e expressões. Estruturas condicionais. Laços de repetição. Funções e procedimentos. Noções de depuração.',
      },
      destino: {
        nome: 'Algoritmos e Programação I',
        codigo: 'ALG1',
        instituicao: 'Universidade Demonstração',
        carga_horaria: 72,
        ementa:
          '1 - Algoritmos e pseudocódigo. 2 - Estruturas condicionais e de repetição. 3 - Vetores e matrizes. 4 - Funções. 5 - Ordenação e busca. 6 - Arquivos.',
      },
    },
  },
  calculo: {
    titulo: 'Português: Cálculo Diferencial e Integral I → Cálculo I',
    request: {
      origem: {
        nome: 'Cálculo Diferencial e Integral I',
        codigo: 'MAT01',
        instituicao: 'Universidade Federal do Exemplo',
        carga_horaria: 90,
        ano_conclusao: 2022,
        aprovado: true,
        ementa:
          'Limites e continuidade de funções reais. Derivadas e regras de derivação. Aplicações da derivada: máximos e mínimos, taxas relacionadas. Integral indefinida e definida. Teorema fundamental do cálculo.',
      },
      destino: {
        nome: 'Cálculo I',
        codigo: 'CALC1',
        instituicao: 'Universidade Demonstração',
        carga_horaria: 80,
        ementa: '1 - Limites e continuidade. 2 - Derivadas e regras de derivação. 3 - Aplicações da derivada. 4 - Integral definida e indefinida. 5 - Teorema fundamental do cálculo.',
      },
    },
  },
  en: {
    titulo: 'English: Introduction to Statistics → Estatística Básica',
    request: {
      origem: {
        nome: 'Introduction to Statistics',
        codigo: 'STAT 101',
        instituicao: 'Example State University',
        carga_horaria: 45,
        ano_conclusao: 2024,
        aprovado: true,
        ementa:
          'Descriptive statistics, graphical summaries of data, probability rules, discrete and continuous random variables, the normal distribution, sampling distributions, confidence intervals and hypothesis tests for means and proportions, simple linear regression.',
      },
      destino: {
        nome: 'Estatística Básica',
        codigo: 'EST1',
        instituicao: 'Universidade Demonstração',
        carga_horaria: 60,
        ementa:
          '1 - Estatística descritiva. 2 - Probabilidade. 3 - Variáveis aleatórias. 4 - Distribuição normal. 5 - Intervalos de confiança. 6 - Testes de hipóteses. 7 - Regressão linear simples.',
      },
    },
  },
}

type Side = 'origem' | 'destino'
type FormValues = Record<string, string>

const FIELDS: { name: string; label: string; type?: string; sides: Side[] }[] = [
  { name: 'nome', label: 'Nome', sides: ['origem', 'destino'] },
  { name: 'codigo', label: 'Código', sides: ['origem', 'destino'] },
  { name: 'instituicao', label: 'Instituição', sides: ['origem', 'destino'] },
  { name: 'carga_horaria', label: 'Carga horária (h)', type: 'number', sides: ['origem', 'destino'] },
  { name: 'ano_conclusao', label: 'Ano de conclusão', type: 'number', sides: ['origem'] },
]

function valuesOfExample(key: string | undefined): FormValues {
  const ex = key ? EXAMPLES[key] : undefined
  if (!ex) return { origem_aprovado: 'on' }
  const v: FormValues = {}
  for (const side of ['origem', 'destino'] as const) {
    const course = ex.request[side] as Record<string, unknown> | undefined
    for (const [k, val] of Object.entries(course ?? {})) if (val !== undefined && val !== null) v[`${side}_${k}`] = String(val)
  }
  v.origem_aprovado = ex.request.origem?.aprovado === false ? '' : 'on'
  return v
}

/** Form fields → the evaluate request (empty fields left out, numbers parsed). */
export function requestOfForm(form: FormValues): unknown {
  const course = (side: Side) => {
    const c: Record<string, unknown> = {}
    for (const f of [...FIELDS, { name: 'ementa', sides: ['origem', 'destino'] }]) {
      const v = form[`${side}_${f.name}`]?.trim()
      if (!v || !f.sides.includes(side)) continue
      c[f.name] = f.name === 'carga_horaria' || f.name === 'ano_conclusao' ? Number(v) : v
    }
    if (side === 'origem') c.aprovado = form.origem_aprovado === 'on'
    return c
  }
  const req: Record<string, unknown> = { origem: course('origem'), destino: course('destino') }
  if (form.course_id?.trim()) req.course_id = form.course_id.trim()
  if (form.data_referencia?.trim()) req.data_referencia = form.data_referencia.trim()
  return req
}

function TryPage({ c, values, errors }: { c: Context<ConsoleEnv>; values: FormValues; errors?: string[] }) {
  const viewer = viewerOf(c)
  const v = (k: string) => values[k] ?? ''
  return (
    <Layout title="Avaliar um par" viewer={viewer} current="/console/avaliar">
      <p>
        Exemplos prontos:{' '}
        {Object.entries(EXAMPLES).map(([k, ex]) => (
          <>
            <a href={`/console/avaliar?exemplo=${k}`}>{ex.titulo}</a>
            {' · '}
          </>
        ))}
      </p>
      {errors && (
        <Flash kind="error">
          <p>O pedido não é válido:</p>
          <ul>
            {errors.map((e) => (
              <li>{e}</li>
            ))}
          </ul>
        </Flash>
      )}
      <form method="post" action="/console/avaliar">
        <Csrf token={viewer.csrf} />
        <div class="pair">
          {(['origem', 'destino'] as const).map((side) => (
            <fieldset>
              <legend>{side === 'origem' ? 'Disciplina cursada (origem)' : 'Disciplina a aproveitar (destino)'}</legend>
              {FIELDS.filter((f) => f.sides.includes(side)).map((f) => (
                <>
                  <label for={`${side}_${f.name}`}>{f.label}</label>
                  <input id={`${side}_${f.name}`} name={`${side}_${f.name}`} type={f.type ?? 'text'} value={v(`${side}_${f.name}`)} required={f.name === 'nome'} />
                </>
              ))}
              {side === 'origem' && (
                <p>
                  <input type="checkbox" id="origem_aprovado" name="origem_aprovado" checked={v('origem_aprovado') === 'on'} />{' '}
                  <label for="origem_aprovado" style="display:inline">
                    Aprovado
                  </label>
                </p>
              )}
              <label for={`${side}_ementa`}>Ementa</label>
              <textarea id={`${side}_ementa`} name={`${side}_ementa`} rows={8} cols={60} required>
                {v(`${side}_ementa`)}
              </textarea>
            </fieldset>
          ))}
        </div>
        <div class="filters">
          <div>
            <label for="course_id">Curso (course_id, opcional)</label>
            <input id="course_id" name="course_id" value={v('course_id')} />
          </div>
          <div>
            <label for="data_referencia">Data de referência (opcional)</label>
            <input id="data_referencia" name="data_referencia" type="date" value={v('data_referencia')} />
          </div>
        </div>
        <p>
          <button type="submit">Avaliar</button>
        </p>
        <p class="muted">O resultado é gravado como qualquer avaliação: se for para análise humana, entra na fila.</p>
      </form>
    </Layout>
  )
}

export function registerTry(app: Hono<ConsoleEnv>): void {
  app.get('/avaliar', requireSession, (c) => c.html(<TryPage c={c} values={valuesOfExample(c.req.query('exemplo'))} />))

  app.post('/avaliar', requireSession, async (c) => {
    const form = Object.fromEntries(Object.entries(await c.req.parseBody()).filter(([, v]) => typeof v === 'string')) as FormValues
    const parsed = EvaluateRequestSchema.safeParse(requestOfForm(form))
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
      return c.html(<TryPage c={c} values={form} errors={errors} />, 422)
    }
    const key = c.get('apiKey')
    const services = c.get('services')
    try {
      // Auditors evaluate here as through the API (single pairs; batches are for admins and api-clients).
      const { result } = await evaluateAndStore({
        ctx: c.get('ctx'),
        input: {
          tenantId: c.get('tenant').id,
          role: key.role,
          request: parsed.data,
          actorKeyId: key.id,
          idempotencyKey: undefined,
          onEngineFailure: (err) => services.logger.error('engine failed; answered in degraded mode', { request_id: c.get('requestId'), error: String(err).slice(0, 200) }),
        },
      })
      return c.redirect(`/console/resultados/${result.id}`, 303)
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'VALIDATION') {
        const errors = typeof err.detail === 'string' ? [err.detail] : err.detail.map((d) => `${d.loc.slice(1).join('.')}: ${d.msg}`)
        return c.html(<TryPage c={c} values={form} errors={errors} />, 422)
      }
      throw err
    }
  })
}
