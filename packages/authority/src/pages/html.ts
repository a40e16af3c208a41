const BRAND: unique symbol = Symbol('tessera.safe-html')

/**
 * Markup that is safe to put in a page as it is: produced by the `html` template (which escaped
 * every interpolated value) or by joining such markup. Nothing else can make one, so a handler that
 * holds a SafeHtml cannot be holding unescaped user input.
 */
export interface SafeHtml {
  readonly [BRAND]: true
  readonly text: string
}

const make = (text: string): SafeHtml => Object.freeze({ [BRAND]: true as const, text })

export function isSafeHtml(value: unknown): value is SafeHtml {
  return typeof value === 'object' && value !== null && (value as Partial<SafeHtml>)[BRAND] === true
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
}

/** Escapes text for element content and for quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (char) => ESCAPES[char] as string)
}

/** A value the template may interpolate: text and numbers are escaped, SafeHtml is kept as is. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[]

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return ''
  if (isSafeHtml(value)) return value.text
  if (Array.isArray(value)) return value.map(render).join('')
  if (typeof value === 'string' || typeof value === 'number' || value === true) {
    return escapeHtml(String(value))
  }
  // Objects other than SafeHtml (a record, an error) have no markup meaning; refusing them keeps
  // "[object Object]" and accidental JSON dumps out of pages.
  throw new TypeError('"html" interpolates strings, numbers, SafeHtml and arrays of them only')
}

/**
 * The tagged template every page is written with: `html\`<p>${userText}</p>\``. Every interpolated
 * value is escaped unless it is already SafeHtml; arrays are joined; null, undefined and false
 * render nothing, so `${condition && html\`…\`}` works.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let text = strings[0] ?? ''
  for (let i = 0; i < values.length; i++) {
    text += render(values[i] as HtmlValue) + (strings[i + 1] ?? '')
  }
  return make(text)
}

/** Joins markup with a separator (itself escaped when it is text). */
export function joinHtml(parts: readonly SafeHtml[], separator: HtmlValue = ''): SafeHtml {
  const glue = render(separator)
  return make(parts.map((part) => part.text).join(glue))
}
