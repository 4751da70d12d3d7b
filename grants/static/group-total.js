// Live totals for a repeating group of answers (budget lines): progressive enhancement.
// The server works out the same total on every save, so without JavaScript the page is still right.
// Markup (templates/apply/section.html): a container with data-module="app-group-total",
// data-group (the group's key) and data-total-of (the money field added up), holding one
// [data-group-total-value] inside an aria-live="polite" paragraph.

// What people type for money, as grants.formatting.pence_from_pounds reads it: '£1,250.50', '1250.5', '1 250'.
const POUNDS = /^£?(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$/
const WAIT_MS = 600 // announce the total once typing pauses, not at every key

function pence (typed) {
  const text = typed.replace(/\s/g, '')
  if (!POUNDS.test(text)) return null
  const [whole, fraction = ''] = text.replace('£', '').replace(/,/g, '').split('.')
  return Number(whole) * 100 + Number((fraction + '00').slice(0, 2))
}

function money (amount) {
  const pounds = Math.floor(amount / 100)
  const rest = String(amount % 100).padStart(2, '0')
  return `£${pounds.toLocaleString('en-GB')}.${rest}`
}

function watch (group) {
  const key = group.dataset.group
  const field = group.dataset.totalOf
  const shown = group.querySelector('[data-group-total-value]')
  if (!key || !field || !shown) return
  const pattern = new RegExp(`^${key}-\\d+-${field}$`)
  let timer = null
  const update = () => {
    let total = 0
    for (const input of group.querySelectorAll('input')) {
      if (pattern.test(input.name)) total += pence(input.value) ?? 0
    }
    const text = money(total)
    if (shown.textContent !== text) shown.textContent = text
  }
  group.addEventListener('input', (event) => {
    if (!pattern.test(event.target.name || '')) return
    window.clearTimeout(timer)
    timer = window.setTimeout(update, WAIT_MS)
  })
}

document.querySelectorAll('[data-module="app-group-total"]').forEach(watch)
