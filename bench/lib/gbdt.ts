import type { ModelArtefact } from '../../engine'

/**
 * Fitting of a small gradient-boosted tree ensemble under logistic loss (Newton boosting: each
 * tree is grown greedily on the gradient and hessian of the current predictions, leaves and
 * splits scored as in XGBoost with an L2 penalty). Hand-written because no maintained trainer on
 * the npm registry fits: ml-cart grows least-squares trees with a quadratic split search and no
 * minimum leaf size, ml-xgboost is an unmaintained WebAssembly build. The output is the flat tree
 * format `engine/model/gbdt.ts` evaluates. Deterministic: no sampling, ties broken by order.
 */

export interface BoostParams {
  trees: number
  depth: number
  learningRate: number
  /** L2 penalty on leaf values. */
  lambda: number
  /** Minimum hessian sum (≈ samples × p(1−p)) in a child. */
  minChildWeight: number
  /** Minimum samples in a child. */
  minLeaf: number
  /** Minimum gain for a split. */
  gamma: number
  /**
   * Per feature: +1, the prediction never decreases as the feature grows; −1, never increases;
   * 0, free. Enforced as XGBoost does: a split must order its children's values accordingly, and
   * each subtree is bounded by the midpoint of its parent's split.
   */
  monotone?: readonly (1 | 0 | -1)[]
}

export const DEFAULT_BOOST: BoostParams = {
  trees: 80,
  depth: 2,
  learningRate: 0.08,
  lambda: 2,
  minChildWeight: 0.5,
  minLeaf: 6,
  gamma: 0.2,
}

type Tree = ModelArtefact['arvores'][number]

export interface FittedEnsemble {
  base: number
  trees: Tree[]
  /** Total split gain per feature: how much each feature served the fit. */
  gain: number[]
}

export function fitBoosted(
  X: readonly (readonly number[])[],
  y: readonly number[],
  params: BoostParams = DEFAULT_BOOST,
): FittedEnsemble {
  const n = X.length
  const f = X[0]?.length ?? 0
  const mean = y.reduce((s, v) => s + v, 0) / n
  const base = Math.log(mean / (1 - mean))
  const logit = new Float64Array(n).fill(base)
  const g = new Float64Array(n)
  const h = new Float64Array(n)
  const gain = new Array<number>(f).fill(0)
  // Each feature's sample order, computed once; a node keeps the order by filtering it.
  const orders = Array.from({ length: f }, (_, j) =>
    Int32Array.from([...Array(n).keys()].sort((a, b) => X[a]![j]! - X[b]![j]! || a - b)),
  )
  const trees: Tree[] = []
  for (let t = 0; t < params.trees; t++) {
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-logit[i]!))
      g[i] = p - y[i]!
      h[i] = Math.max(p * (1 - p), 1e-6)
    }
    const tree: Tree = { feature: [], threshold: [], left: [], right: [], value: [] }
    const member = new Int32Array(n).fill(0)
    grow(tree, orders, X, g, h, member, 0, 0, params, gain, -Infinity, Infinity)
    trees.push(tree)
    for (let i = 0; i < n; i++) logit[i]! += leafValue(tree, X[i]!)
  }
  return { base, trees, gain }
}

function leafValue(tree: Tree, x: readonly number[]): number {
  let i = 0
  while (tree.feature[i]! >= 0)
    i = x[tree.feature[i]!]! <= tree.threshold[i]! ? tree.left[i]! : tree.right[i]!
  return tree.value[i]!
}

/**
 * Grows the node whose samples have `member[i] === id`; returns its index. Nodes are appended in
 * pre-order, so children always come after their parent.
 */
function grow(
  tree: Tree,
  orders: readonly Int32Array[],
  X: readonly (readonly number[])[],
  g: Float64Array,
  h: Float64Array,
  member: Int32Array,
  id: number,
  depth: number,
  params: BoostParams,
  gain: number[],
  lower: number,
  upper: number,
): number {
  let G = 0
  let H = 0
  let count = 0
  for (let i = 0; i < member.length; i++) {
    if (member[i] !== id) continue
    G += g[i]!
    H += h[i]!
    count++
  }
  const node = tree.feature.length
  tree.feature.push(-1)
  tree.threshold.push(0)
  tree.left.push(-1)
  tree.right.push(-1)
  const weight = (gs: number, hs: number) =>
    Math.min(upper, Math.max(lower, (-gs / (hs + params.lambda)) * params.learningRate))
  tree.value.push(weight(G, H))
  if (depth >= params.depth || count < 2 * params.minLeaf) return node

  const parentScore = (G * G) / (H + params.lambda)
  let best = { gain: params.gamma, feature: -1, threshold: 0, mid: 0 }
  for (let j = 0; j < orders.length; j++) {
    const direction = params.monotone?.[j] ?? 0
    let gl = 0
    let hl = 0
    let cl = 0
    let previous = Number.NaN
    for (const i of orders[j]!) {
      if (member[i] !== id) continue
      const v = X[i]![j]!
      if (
        cl >= params.minLeaf &&
        count - cl >= params.minLeaf &&
        v !== previous &&
        hl >= params.minChildWeight &&
        H - hl >= params.minChildWeight
      ) {
        const gr = G - gl
        const hr = H - hl
        const split = (gl * gl) / (hl + params.lambda) + (gr * gr) / (hr + params.lambda) - parentScore
        const wl = weight(gl, hl)
        const wr = weight(gr, hr)
        const ordered = direction === 0 || (direction > 0 ? wl <= wr : wl >= wr)
        if (ordered && split > best.gain)
          best = { gain: split, feature: j, threshold: (previous + v) / 2, mid: (wl + wr) / 2 }
      }
      gl += g[i]!
      hl += h[i]!
      cl++
      previous = v
    }
  }
  if (best.feature < 0) return node
  gain[best.feature]! += best.gain
  tree.feature[node] = best.feature
  tree.threshold[node] = best.threshold
  // Children get fresh ids: the right child keeps a marker until its turn comes.
  const leftId = nextId()
  const rightId = nextId()
  for (let i = 0; i < member.length; i++) {
    if (member[i] !== id) continue
    member[i] = X[i]![best.feature]! <= best.threshold ? leftId : rightId
  }
  const direction = params.monotone?.[best.feature] ?? 0
  const [leftBounds, rightBounds] =
    direction > 0
      ? [
          [lower, Math.min(upper, best.mid)],
          [Math.max(lower, best.mid), upper],
        ]
      : direction < 0
        ? [
            [Math.max(lower, best.mid), upper],
            [lower, Math.min(upper, best.mid)],
          ]
        : [
            [lower, upper],
            [lower, upper],
          ]
  tree.left[node] = grow(
    tree,
    orders,
    X,
    g,
    h,
    member,
    leftId,
    depth + 1,
    params,
    gain,
    leftBounds[0]!,
    leftBounds[1]!,
  )
  tree.right[node] = grow(
    tree,
    orders,
    X,
    g,
    h,
    member,
    rightId,
    depth + 1,
    params,
    gain,
    rightBounds[0]!,
    rightBounds[1]!,
  )
  return node
}

let lastId = 0
function nextId(): number {
  return ++lastId
}

/** Log-odds of one sample. */
export function predictLogit(model: FittedEnsemble, x: readonly number[]): number {
  let logit = model.base
  for (const t of model.trees) logit += leafValue(t, x)
  return logit
}
