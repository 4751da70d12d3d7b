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

// Staff are signed out after a spell without activity (grants/auth/idle.py). A few minutes before,
// a dialog offers to stay signed in without reloading the page, so nothing typed is lost; once
// signed out it says how to sign in again in a new tab and come back to send what is here.
const idleDialog = document.getElementById('idle-warning')
if (idleDialog) watchIdleTime(idleDialog)

function watchIdleTime (dialog) {
  const warnAt = Number(dialog.dataset.warnAt) * 1000
  const title = dialog.querySelector('#idle-warning-title')
  const text = dialog.querySelector('#idle-warning-text')
  const time = dialog.querySelector('#idle-warning-time')
  const stay = dialog.querySelector('#idle-stay')
  const signIn = dialog.querySelector('#idle-sign-in')
  let deadline = Date.now() + Number(dialog.dataset.secondsLeft) * 1000
  let timer

  const schedule = (ms) => { clearTimeout(timer); timer = setTimeout(check, Math.max(0, ms)) }
  const readLeft = async (response) => {
    if (!response.ok || response.type === 'opaqueredirect') return null
    const body = await response.json()
    return typeof body.seconds_left === 'number' ? body.seconds_left * 1000 : null
  }
  const ask = async (url, options) => {
    try {
      return await readLeft(await fetch(url, { credentials: 'same-origin', redirect: 'manual', ...options }))
    } catch (error) {
      return null
    }
  }

  async function check () {
    // Another tab may have kept the session alive: ask the server (asking is not activity).
    const left = await ask(dialog.dataset.timeLeftUrl, { headers: { Accept: 'application/json' } })
    if (left === null || left <= 0) return signedOut()
    deadline = Date.now() + left
    if (left > warnAt) {
      if (dialog.open) dialog.close()
      return schedule(left - warnAt)
    }
    const minutes = Math.max(1, Math.ceil(left / 60000))
    time.textContent = minutes === 1 ? '1 minute' : `${minutes} minutes`
    if (!dialog.open) dialog.showModal()
    schedule(deadline - Date.now())
  }

  async function keepSignedIn () {
    const left = await ask(dialog.dataset.keepAliveUrl, {
      method: 'POST',
      headers: { Accept: 'application/json', 'X-CSRFToken': dialog.dataset.csrfToken }
    })
    if (left === null) return signedOut()
    deadline = Date.now() + left
    dialog.close()
    schedule(left - warnAt)
  }

  function signedOut () {
    clearTimeout(timer)
    title.textContent = 'You have been signed out'
    text.textContent = 'You were signed out because you had not done anything for a while. ' +
      'To keep what you have typed, sign in again in a new tab, then come back to this page and send it.'
    stay.hidden = true
    signIn.hidden = false
    if (!dialog.open) dialog.showModal()
    signIn.focus()
  }

  stay.addEventListener('click', keepSignedIn)
  dialog.addEventListener('cancel', (event) => { // Escape: the same as "Stay signed in"
    event.preventDefault()
    if (!stay.hidden) keepSignedIn()
  })
  schedule(deadline - Date.now() - warnAt)
}

// Passkeys: only pages that offer one load the script (grants/static/passkeys.js).
const passkeyContainers = document.querySelectorAll('[data-passkey]')
if (passkeyContainers.length) {
  import('./passkeys.js').then(({ setUpPasskeys }) => setUpPasskeys(passkeyContainers))
}
