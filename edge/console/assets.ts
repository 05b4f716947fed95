/**
 * The console's only stylesheet and script, served from /console/assets/ (no build step, no inline
 * script, so a strict Content-Security-Policy holds). Colours meet WCAG AA contrast on white;
 * focus is always visible. The script only adds to pages that work without it: hover links
 * between evidence in both syllabi, decision shortcuts, job progress polling.
 */

export const CONSOLE_CSS = `
:root { --fg:#1a1a1a; --muted:#4a4a4a; --bg:#fff; --line:#c8c8c8; --brand:#0b4f8a; --ok:#1b5e20; --bad:#a4161a; --warn:#7a4b00; --hl:#fff1a8; --hl-on:#ffd54a; }
* { box-sizing: border-box; }
body { margin:0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
a { color:var(--brand); }
:focus-visible { outline:3px solid #1565c0; outline-offset:2px; }
.skip { position:absolute; left:-9999px; } .skip:focus { left:8px; top:8px; background:#fff; padding:8px; z-index:10; }
header.top { display:flex; gap:1rem; align-items:center; flex-wrap:wrap; padding:.5rem 1rem; background:#0b3d6b; color:#fff; }
header.top a { color:#fff; } header.top nav a { margin-right:1rem; }
header.top .who { margin-left:auto; font-size:.9rem; }
header.top form { display:inline; }
main { padding:1rem 1.5rem 3rem; max-width:1400px; }
h1 { font-size:1.6rem; margin:.5rem 0 1rem; } h2 { font-size:1.25rem; margin:1.5rem 0 .5rem; }
table { border-collapse:collapse; width:100%; } th, td { text-align:left; padding:.4rem .5rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#f0f0f0; }
button, .button { font:inherit; padding:.4rem .9rem; border:1px solid #0b4f8a; background:#0b4f8a; color:#fff; border-radius:4px; cursor:pointer; text-decoration:none; display:inline-block; }
button.secondary, .button.secondary { background:#fff; color:#0b4f8a; }
button.danger { background:#a4161a; border-color:#a4161a; }
input, select, textarea { font:inherit; padding:.35rem; border:1px solid #767676; border-radius:3px; max-width:100%; }
label { font-weight:600; display:block; margin:.4rem 0 .15rem; }
.filters { display:flex; flex-wrap:wrap; gap:.5rem 1rem; align-items:flex-end; margin-bottom:1rem; }
.filters div { display:flex; flex-direction:column; }
.counts { display:flex; gap:1.5rem; flex-wrap:wrap; margin:.5rem 0 1rem; } .counts strong { font-size:1.3rem; display:block; }
.badge { display:inline-block; padding:0 .45rem; border-radius:3px; font-size:.85rem; font-weight:600; border:1px solid currentColor; }
.d-DEFERIDO { color:var(--ok); } .d-INDEFERIDO { color:var(--bad); } .d-ANALISE_HUMANA { color:var(--warn); }
.sla-ok { color:var(--ok); } .sla-warn { color:var(--warn); } .sla-late { color:#fff; background:var(--bad); padding:0 .3rem; border-radius:3px; }
.pair { display:grid; grid-template-columns:1fr 1fr; gap:1rem; } @media (max-width:900px) { .pair { grid-template-columns:1fr; } }
.syllabus { border:1px solid var(--line); border-radius:4px; padding:.75rem; white-space:pre-wrap; overflow-wrap:anywhere; }
mark { background:var(--hl); color:inherit; border-bottom:2px solid #b08900; }
mark.on, mark:focus { background:var(--hl-on); outline:2px solid #5c4500; }
.topics { display:flex; flex-wrap:wrap; gap:.4rem; list-style:none; padding:0; }
.topics button { background:#fff; color:var(--fg); border-color:#767676; }
.topics button.on, .topics button:focus { background:var(--hl-on); }
.notice { border-left:4px solid var(--warn); background:#fff8e6; padding:.5rem .75rem; margin:.75rem 0; }
.error { border-left:4px solid var(--bad); background:#fdecec; padding:.5rem .75rem; margin:.75rem 0; }
.success { border-left:4px solid var(--ok); background:#eaf5ea; padding:.5rem .75rem; margin:.75rem 0; }
.grid2 { display:grid; grid-template-columns:repeat(auto-fit, minmax(280px, 1fr)); gap:1rem; }
.muted { color:var(--muted); } .mono { font-family: ui-monospace, monospace; font-size:.9rem; overflow-wrap:anywhere; }
progress { width:100%; height:1.2rem; }
fieldset { border:1px solid var(--line); border-radius:4px; margin:.5rem 0; } legend { font-weight:600; }
.radio label { display:inline; font-weight:400; margin-right:1rem; }
kbd { border:1px solid #767676; border-radius:3px; padding:0 .25rem; font-size:.85rem; background:#f5f5f5; }
`

export const CONSOLE_JS = `
(function () {
  // Evidence: hovering or focusing a topic lights its span in both syllabi (marks carry data-ev="i j").
  function light(ids, on) {
    ids.forEach(function (id) {
      document.querySelectorAll('[data-ev~="' + id + '"]').forEach(function (el) { el.classList.toggle('on', on) })
    })
  }
  document.querySelectorAll('[data-ev]').forEach(function (el) {
    var ids = el.getAttribute('data-ev').split(' ')
    ;['mouseenter', 'focus'].forEach(function (t) { el.addEventListener(t, function () { light(ids, true) }) })
    ;['mouseleave', 'blur'].forEach(function (t) { el.addEventListener(t, function () { light(ids, false) }) })
    if (el.tagName === 'BUTTON') el.addEventListener('click', function () {
      var first = document.querySelector('mark[data-ev~="' + ids[0] + '"]'); if (first) first.scrollIntoView({ block: 'center' })
    })
  })

  // Decision shortcuts: d = DEFERIDO, i = INDEFERIDO, n = next case (not while typing).
  var form = document.getElementById('decisao-form')
  document.addEventListener('keydown', function (e) {
    var t = e.target; if (e.ctrlKey || e.metaKey || e.altKey) return
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT')) return
    var k = e.key.toLowerCase()
    if (form && (k === 'd' || k === 'i')) {
      var r = document.getElementById(k === 'd' ? 'label-deferido' : 'label-indeferido')
      if (r) { r.checked = true; r.focus(); e.preventDefault() }
    } else if (k === 'n') {
      var next = document.getElementById('proximo-caso'); if (next) { next.click(); e.preventDefault() }
    }
  })

  // Job progress: poll until the job completes, then reload to show its results.
  var job = document.querySelector('[data-progresso]')
  if (job) {
    var url = job.getAttribute('data-progresso')
    var bar = document.getElementById('barra'), text = document.getElementById('progresso-texto')
    var tick = function () {
      fetch(url, { credentials: 'same-origin' }).then(function (r) { return r.json() }).then(function (p) {
        var pct = p.total ? Math.floor(100 * (p.done + p.failed) / p.total) : 100
        bar.value = pct; bar.setAttribute('aria-valuenow', String(pct)); text.textContent = pct + ' %'
        if (p.status === 'completed') { location.reload() } else { setTimeout(tick, 1000) }
      }).catch(function () { setTimeout(tick, 3000) })
    }
    if (job.getAttribute('data-status') !== 'completed') setTimeout(tick, 500)
  }
})()
`
