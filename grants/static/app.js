// grantflow front end: GOV.UK Frontend components, and Mermaid diagrams where a page has one.
import { initAll } from './govuk-frontend.min.js'

initAll()

const diagrams = document.querySelectorAll('pre.mermaid')
if (diagrams.length) {
  const script = document.createElement('script')
  script.src = new URL('vendor/mermaid.min.js', import.meta.url).href
  script.onload = () => {
    window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral' })
    window.mermaid.run({ nodes: diagrams })
  }
  document.head.appendChild(script)
}
