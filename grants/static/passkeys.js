// Passkeys (grants/auth/passkeys.py): the server makes the options, the browser asks the passkey,
// and the page posts the passkey's answer in an ordinary form, so the server's redirect or its
// error message follows as for any other form. Without WebAuthn the page keeps the code only.

const fromBase64url = (text) => {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4)
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0)).buffer
}

const toBase64url = (buffer) => {
  let text = ''
  for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte)
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

const withIds = (list) => (list || []).map((item) => ({ ...item, id: fromBase64url(item.id) }))

function creationOptions (json) {
  if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json)
  return {
    ...json,
    challenge: fromBase64url(json.challenge),
    user: { ...json.user, id: fromBase64url(json.user.id) },
    excludeCredentials: withIds(json.excludeCredentials)
  }
}

function requestOptions (json) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json)
  return { ...json, challenge: fromBase64url(json.challenge), allowCredentials: withIds(json.allowCredentials) }
}

function answerJSON (credential) {
  if (typeof credential.toJSON === 'function') return JSON.stringify(credential.toJSON())
  const response = {}
  for (const name of ['clientDataJSON', 'attestationObject', 'authenticatorData', 'signature', 'userHandle']) {
    if (credential.response[name]) response[name] = toBase64url(credential.response[name])
  }
  if (credential.response.getTransports) response.transports = credential.response.getTransports()
  return JSON.stringify({
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response,
    authenticatorAttachment: credential.authenticatorAttachment,
    clientExtensionResults: credential.getClientExtensionResults()
  })
}

function say (container, text) {
  const message = container.querySelector('#passkey-message')
  message.innerHTML = '<span class="govuk-visually-hidden">Error:</span> '
  message.append(text)
  message.hidden = false
}

async function ceremony (container, form) {
  const kind = container.dataset.passkey
  const token = form.querySelector('input[name="csrf_token"]').value
  const asked = await fetch(container.dataset.optionsUrl, {
    method: 'POST', credentials: 'same-origin', headers: { 'X-CSRFToken': token, Accept: 'application/json' }
  })
  if (!asked.ok) throw new Error('options')
  const json = await asked.json()
  const credential = kind === 'add'
    ? await navigator.credentials.create({ publicKey: creationOptions(json) })
    : await navigator.credentials.get({ publicKey: requestOptions(json) })
  form.querySelector('#passkey-credential').value = answerJSON(credential)
}

export function setUpPasskeys (containers) {
  if (!window.PublicKeyCredential || !navigator.credentials) return
  for (const container of containers) {
    const form = container.querySelector('form')
    container.hidden = false
    form.hidden = false
    for (const note of container.querySelectorAll('[data-passkey-unsupported]')) note.hidden = true
    let sending = false
    form.addEventListener('submit', async (event) => {
      if (sending) return
      event.preventDefault()
      try {
        await ceremony(container, form)
      } catch (error) {
        const cancelled = error && error.name === 'NotAllowedError'
        const adding = container.dataset.passkey === 'add'
        say(container, adding
          ? (cancelled ? 'The passkey was not added. Try again when you are ready.' : 'This browser could not make a passkey.')
          : (cancelled
              ? 'The passkey was not used. Try again, or enter the code from your authenticator app.'
              : 'The passkey could not be used in this browser. Enter the code from your authenticator app instead.'))
        return
      }
      sending = true
      const button = event.submitter
      if (button && button.name) {
        const value = document.createElement('input')
        Object.assign(value, { type: 'hidden', name: button.name, value: button.value })
        form.append(value)
      }
      form.submit()
    })
  }
}
