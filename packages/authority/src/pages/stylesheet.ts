/**
 * Our one stylesheet, served from /assets/tessera.css (the CSP allows styles from 'self' only).
 * System fonts, high contrast, a visible focus ring, and layouts that work from 320 px up.
 */
export const STYLESHEET = `
:root { color-scheme: light dark; --fg: #1b1b1f; --bg: #fbfbfd; --muted: #5a5a66; --line: #d5d5de;
  --accent: #2747c4; --accent-fg: #fff; --error: #a3161b; --error-bg: #fdecec; --note-bg: #fff6d6; }
@media (prefers-color-scheme: dark) { :root { --fg: #ececf1; --bg: #15151a; --muted: #a5a5b3;
  --line: #3a3a46; --accent: #8ea2ff; --accent-fg: #0d0d12; --error: #ffb4b0; --error-bg: #3a1416;
  --note-bg: #3a3213; } }
* { box-sizing: border-box; }
html { font: 100%/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
body { margin: 0; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; top: 0; }
.skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: .5rem; z-index: 1; }
header.site, footer.site { display: flex; gap: 1rem; align-items: center; justify-content: space-between;
  padding: .75rem 1.25rem; border-bottom: 1px solid var(--line); }
footer.site { border-top: 1px solid var(--line); border-bottom: 0; color: var(--muted); font-size: .9rem; }
.brand { font-weight: 700; text-decoration: none; font-size: 1.15rem; }
nav { display: flex; gap: 1rem; align-items: center; }
main { max-width: 40rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
main:focus { outline: none; }
h1 { font-size: 1.75rem; line-height: 1.2; margin: .5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; }
form.stack { display: grid; gap: .75rem; margin: 1rem 0; }
form.inline { display: inline; margin: 0; }
label { font-weight: 600; }
.hint { color: var(--muted); font-size: .92rem; margin: 0; }
input[type=email], input[type=text] { font: inherit; padding: .6rem .7rem; border: 1px solid var(--muted);
  border-radius: .4rem; background: var(--bg); color: var(--fg); width: 100%; }
input.code { font-size: 1.4rem; letter-spacing: .2em; font-variant-numeric: tabular-nums; max-width: 14rem; }
input[aria-invalid=true] { border-color: var(--error); border-width: 2px; }
button { font: inherit; font-weight: 600; padding: .6rem 1.1rem; border-radius: .4rem; border: 1px solid var(--accent);
  background: var(--accent); color: var(--accent-fg); cursor: pointer; justify-self: start; }
a.button { display: inline-block; font-weight: 600; padding: .6rem 1.1rem; border-radius: .4rem;
  background: var(--accent); color: var(--accent-fg); text-decoration: none; }
button.secondary { background: transparent; color: var(--accent); }
button.link { background: none; border: 0; padding: 0; color: var(--accent); text-decoration: underline; font-weight: 400; }
.error { border-left: 4px solid var(--error); background: var(--error-bg); padding: .6rem .9rem; margin: 1rem 0; }
.error p { margin: 0; }
.banner { background: var(--note-bg); padding: .6rem 1.25rem; border-bottom: 1px solid var(--line); }
.notice { border-left: 4px solid var(--accent); padding: .4rem .9rem; margin: 1rem 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .9rem; color: var(--muted); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { color: var(--muted); }
dd { margin: 0; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .92em; }
select { font: inherit; padding: .5rem .6rem; border: 1px solid var(--muted); border-radius: .4rem;
  background: var(--bg); color: var(--fg); justify-self: start; }
main:has(.console) { max-width: 72rem; }
.console td code { word-break: break-all; }
.console time { white-space: nowrap; }
`
