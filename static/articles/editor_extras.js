// Loaded by django-prose-editor's "configurable" preset (articles/forms.py adds it to the
// widget's js_modules); every name exported here becomes an extension the config may enable,
// and one named like a stock extension (Code, Image) replaces it.
//
// Three gaps of the stock extensions are filled here:
// - Tiptap reads HTML through its elementFromString, which deletes whitespace it takes for
//   indentation (FaithfulParsing);
// - what our sanitizer allows but no stock extension holds (<small>, <cite>, <q>, th scope,
//   blockquote cite, a link around inline code or around an image): ProseMirror drops what
//   its schema does not know, so an imported body would lose it on the first save;
// - the menu's tooltips and option labels are fixed English strings, not passed through
//   gettext; they are translated here with the admin's JavaScript catalog (djangojs).
import * as stock from "django-prose-editor/editor"

const { Extension, Mark, mergeAttributes } = stock

// Tiptap parses an HTML string through elementFromString, which first deletes every text node
// that is exactly "\n" or "\n" and two blanks, wherever it stands: between the token spans of
// a highlighted code sample (the sample's line breaks) and between two inline elements of a
// paragraph (the space between two links). ProseMirror's parser alone already drops blank
// text between blocks and keeps it inside <pre> (the code block's preserveWhitespace "full"),
// so bodies, and what the HTML button sets, are parsed by it.
const parseBody = (html, schema) => {
  const body = new window.DOMParser().parseFromString(`<body>${html}</body>`, "text/html").body
  return stock.pm.model.DOMParser.fromSchema(schema).parse(body)
}

export const FaithfulParsing = Extension.create({
  name: "faithfulParsing",
  onBeforeCreate() {
    const { options, schema } = this.editor
    if (typeof options.content === "string") options.content = parseBody(options.content, schema)
  },
  addCommands() {
    const { setContent } = stock.commands
    return {
      setContent: (content, options) =>
        setContent(
          typeof content === "string" ? parseBody(content, this.editor.schema).content : content,
          options,
        ),
    }
  },
})

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
export const Keyboard = inlineMark("keyboard", "kbd")
export const Sample = inlineMark("sample", "samp")
export const Variable = inlineMark("variable", "var")
export const Deleted = inlineMark("deleted", "del")
export const Inserted = inlineMark("inserted", "ins")
export const Abbreviation = inlineMark("abbreviation", "abbr")

const blockNode = (name, tag, content, extra = {}, selector = tag) =>
  stock.Node.create({
    name,
    content,
    defining: true,
    ...extra,
    parseHTML() {
      return [{ tag: selector }]
    },
    renderHTML({ HTMLAttributes }) {
      return [tag, mergeAttributes(HTMLAttributes), 0]
    },
  })

// Definition lists and disclosure widgets, as the Markdown renderer writes them.
export const DescriptionList = blockNode(
  "descriptionList",
  "dl",
  "(descriptionTerm | descriptionDetails)+",
  { group: "block" },
)
export const DescriptionTerm = blockNode("descriptionTerm", "dt", "inline*")
export const DescriptionDetails = blockNode("descriptionDetails", "dd", "block+")
export const Details = blockNode("details", "details", "detailsSummary block*", { group: "block" })
export const DetailsSummary = blockNode("detailsSummary", "summary", "inline*")
// A <div> the sanitizer lets keep a class (footnotes, alerts) stays a block of its own.
export const ClassedDiv = blockNode("classedDiv", "div", "block+", { group: "block" }, "div[class]")

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
  renderHTML: (attributes) =>
    attributes[name] != null ? { [name]: attributes[name] } : {},
})

// A <figure> without a picture: an engine's quotation (a blockquote and its credit), code
// sample with its caption, or embed. The stock figure holds one image and its caption, and
// filled such a figure with an empty image. The sanitizer has the last word on its class.
const holdsPicture = (figure) =>
  [...figure.children].some((child) => child.matches("img, a:has(> img)"))

export const BlockFigure = stock.Node.create({
  name: "blockFigure",
  group: "block",
  content: "block+",
  defining: true,
  addAttributes() {
    return { class: plainAttribute("class") }
  },
  parseHTML() {
    // Before the stock figure's rule, which takes every <figure>.
    return [{ tag: "figure", priority: 60, getAttrs: (figure) => !holdsPicture(figure) && null }]
  },
  renderHTML({ HTMLAttributes }) {
    return ["figure", mergeAttributes(HTMLAttributes), 0]
  },
})

// The attributes the sanitizer keeps on elements the stock extensions hold (ids under its
// prefix, the classes it allows, table alignment, th scope, blockquote cite, abbr title,
// del/ins datetime, details open); the sanitizer has the last word on their values.
const HOLDERS = {
  id: ["heading", "listItem", "descriptionTerm", "link"],
  class: [
    "paragraph", "bulletList", "orderedList", "listItem", "blockquote", "horizontalRule",
    "tableCell", "tableHeader", "superscript", "classedDiv",
  ],
  align: ["tableCell", "tableHeader"],
  scope: ["tableHeader"],
  cite: ["blockquote"],
  title: ["abbreviation"],
  datetime: ["deleted", "inserted"],
  open: ["details"],
}

export const SanitizerAttributes = Extension.create({
  name: "sanitizerAttributes",
  addGlobalAttributes() {
    return Object.entries(HOLDERS).map(([name, types]) => ({
      types,
      attributes: { [name]: plainAttribute(name) },
    }))
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
