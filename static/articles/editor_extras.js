// Loaded by django-prose-editor's "configurable" preset (articles/forms.py adds it to the
// widget's js_modules); every name exported here becomes an extension the config may enable,
// and one named like a stock extension (Code, Image) replaces it.
//
// Two gaps of the stock extensions are filled here:
// - what our sanitizer allows but no stock extension holds (<small>, <cite>, <q>, th scope,
//   blockquote cite, a link around inline code or around an image): ProseMirror drops what
//   its schema does not know, so an imported body would lose it on the first save;
// - the menu's tooltips and option labels are fixed English strings, not passed through
//   gettext; they are translated here with the admin's JavaScript catalog (djangojs).
import * as stock from "django-prose-editor/editor"

const { Extension, Mark, mergeAttributes } = stock

const inlineMark = (name, tag) =>
  Mark.create({
    name,
    parseHTML() {
      return [{ tag }]
    },
    renderHTML({ HTMLAttributes }) {
      return [tag, mergeAttributes(HTMLAttributes), 0]
    },
  })

export const Small = inlineMark("small", "small")
export const Cite = inlineMark("cite", "cite")
export const InlineQuote = inlineMark("inlineQuote", "q")

// Tiptap's code mark excludes every other mark, links too: `<a><code>f()</code></a>`, common
// in release notes, lost its link.
export const Code = stock.Code.extend({ excludes: "" })

// An image inside a link (a linked thumbnail) keeps the link as an attribute; block nodes
// cannot carry marks. It is written back as <a href><img></a>.
export const Image = stock.Image.extend({
  addAttributes() {
    return {
      ...this.parent?.(),
      href: {
        default: null,
        parseHTML: (element) => element.closest("a[href]")?.getAttribute("href") ?? null,
        renderHTML: () => ({}),
      },
    }
  },
  renderHTML({ node, HTMLAttributes }) {
    const image = ["img", mergeAttributes(this.options.HTMLAttributes, HTMLAttributes)]
    return node.attrs.href ? ["a", { href: node.attrs.href }, image] : image
  },
})

const plainAttribute = (name) => ({
  default: null,
  parseHTML: (element) => element.getAttribute(name),
  renderHTML: (attributes) => (attributes[name] ? { [name]: attributes[name] } : {}),
})

export const SanitizerAttributes = Extension.create({
  name: "sanitizerAttributes",
  addGlobalAttributes() {
    return [
      { types: ["tableHeader"], attributes: { scope: plainAttribute("scope") } },
      { types: ["blockquote"], attributes: { cite: plainAttribute("cite") } },
    ]
  },
})

const translated = (text) => {
  const gettext = window.gettext
  return gettext && text ? gettext(text) : text
}

const translateButton = (button) => {
  if (!button) return
  for (const name of ["title", "aria-label"]) {
    const value = button.getAttribute(name)
    if (value) button.setAttribute(name, translated(value))
  }
  if (!button.classList.contains("material-icons") && button.children.length === 0) {
    button.textContent = translated(button.textContent)
  }
}

// Dialog <select>s list English words whose text is also their value ("Yes"/"No"): keep
// the value, translate what is shown.
const translateOptions = (root) => {
  for (const option of root.querySelectorAll("option:not([value])")) {
    option.value = option.textContent
    option.textContent = translated(option.textContent)
  }
}

export const MenuTranslation = Extension.create({
  name: "menuTranslation",
  // Lower than the menu's (100): its onCreate has built the items when this one runs.
  priority: 10,
  onCreate({ editor }) {
    const items = editor.storage.menu?._definedItems || {}
    for (const item of Object.values(items)) {
      translateButton(item.button)
      if (item.option) item.option.textContent = translated(item.option.textContent)
    }
    // The dropdowns show clones of buttons, made anew when the selection moves.
    const menubar = editor.storage.menu?.dom
    const translateMenubar = () => {
      for (const button of menubar?.querySelectorAll("button") || []) translateButton(button)
    }
    translateMenubar()
    editor.on("transaction", translateMenubar)
    const container = editor.view.dom.parentElement
    new MutationObserver((mutations) => {
      for (const mutation of mutations) {
        for (const node of mutation.addedNodes) {
          if (node.querySelectorAll) translateOptions(node)
        }
      }
    }).observe(container, { childList: true, subtree: true })
  },
})
