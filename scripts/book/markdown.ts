/**
 * Markdown cells to HTML with markdown-it: math rendered at build time by KaTeX (VS Code's markdown-it plugin, the
 * same `$…$` / `$$…$$` rules Jupyter uses), fenced code highlighted, headings given ids, links to other notebooks
 * pointed at their pages, and local images noted so the renderer can copy them beside the page.
 */
import MarkdownIt from "markdown-it";
import katexPlugin from "@vscode/markdown-it-katex";
import { codeBlock, escapeHtml } from "./highlight";

type Token = MarkdownIt.Token;

/** What one page's markdown needs to share across its cells, and what rendering found. */
export interface MarkdownEnvironment {
  /** Heading ids used so far on the page (ids must be unique per page). */
  usedIds: Set<string>;
  /** `attachment:NAME` → URL of the file written for that cell attachment. */
  attachments: Map<string, string>;
  /** Relative image paths referenced by the markdown (to copy beside the page). */
  localImages: string[];
  /** The page's sections (level 2 and 3 headings), for its table of contents. */
  headings: PageHeading[];
}

export interface PageHeading {
  level: number;
  id: string;
  text: string;
}

/** Runs of Chinese characters (CJK ideographs and CJK punctuation). */
const CJK_RUN = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+/g;

/** Escaped text with its Chinese runs marked `lang="zh-Hans"` (screen readers switch voice; fonts pick CJK glyphs). */
export function markChinese(escapedHtml: string): string {
  return escapedHtml.replace(CJK_RUN, (run) => `<span lang="zh-Hans">${run}</span>`);
}

/** `escapeHtml` + `markChinese`, for titles outside markdown (sidebar, page navigation). */
export function textHtml(text: string): string {
  return markChinese(escapeHtml(text));
}

export interface RenderedMarkdown {
  html: string;
  tokens: Token[];
}

export function newMarkdownEnvironment(): MarkdownEnvironment {
  return { usedIds: new Set(), attachments: new Map(), localImages: [], headings: [] };
}

/** A URL with a scheme (http:, data:, mailto:), a protocol-relative or root path, or a pure #anchor: not a local file. */
function isLocalPath(url: string): boolean {
  return url !== "" && !/^[a-z][a-z0-9+.-]*:/i.test(url) && !url.startsWith("/") && !url.startsWith("#");
}

/** Links between pages of the book name the sources; the book serves them as `.html` (as Quarto does). */
export function pageLinkFor(href: string): string {
  if (!isLocalPath(href)) return href;
  return href.replace(/^([^?#]*)\.(ipynb|qmd)(?=$|[?#])/, "$1.html");
}

/** A heading id in pandoc's spirit: lower case, letters (any script) and digits, words joined by hyphens. */
export function headingId(text: string, used: Set<string>): string {
  const base =
    text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .trim()
      .replace(/\s+/g, "-") || "section";
  let id = base;
  for (let suffix = 1; used.has(id); suffix++) id = `${base}-${suffix}`;
  used.add(id);
  return id;
}

/** The plain text of an inline token (what a reader sees, math as its TeX source). */
export function inlineText(token: Token): string {
  if (!token.children) return token.content;
  return token.children
    .map((child) => (child.type === "softbreak" || child.type === "hardbreak" ? " " : child.content))
    .join("");
}

function annotateTokens(tokens: Token[], env: MarkdownEnvironment): void {
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    if (token.type === "heading_open" && token.attrGet("id") === null) {
      token.attrSet("id", headingId(inlineText(tokens[index + 1]), env.usedIds));
    }
    if (token.type === "heading_open" && (token.tag === "h2" || token.tag === "h3")) {
      env.headings.push({ level: Number(token.tag.slice(1)), id: token.attrGet("id") as string, text: inlineText(tokens[index + 1]).trim() });
    }
    for (const child of token.children ?? []) {
      if (child.type === "link_open") {
        const href = child.attrGet("href");
        if (href !== null) child.attrSet("href", pageLinkFor(href));
      } else if (child.type === "image") {
        const src = child.attrGet("src") ?? "";
        const attachment = src.startsWith("attachment:") ? env.attachments.get(src.slice("attachment:".length)) : undefined;
        if (attachment !== undefined) child.attrSet("src", attachment);
        else if (isLocalPath(src)) env.localImages.push(decodeURI(src.replace(/[?#].*$/, "")));
      }
    }
  }
}

function createMarkdown(): MarkdownIt {
  const markdown = new MarkdownIt({
    // Notebook markdown may carry HTML (a <details>, a styled <span>); it is the author's own text.
    html: true,
    linkify: true,
    highlight: (code, language) => codeBlock(code, language),
  });
  markdown.use(katexPlugin, { throwOnError: false });
  const rules = markdown.renderer.rules;
  // Fences render whole (a reference block is a <figure>, which markdown-it's `highlight` hook would wrap in <pre>).
  rules.fence = (tokens, index) => codeBlock(tokens[index].content, tokens[index].info.trim().split(/\s+/)[0] ?? "");
  rules.text = (tokens, index) => markChinese(escapeHtml(tokens[index].content));
  // A visible anchor after every section heading (Quarto's anchor-sections): a link to share, shown on hover/focus.
  rules.heading_close = (tokens, index) => {
    const open = tokens[index - 2];
    const id = open?.type === "heading_open" ? open.attrGet("id") : null;
    const anchor = id === null || open.tag === "h1" ? "" : ` <a class="anchor" href="#${escapeHtml(id)}" aria-label="Link to this section">#</a>`;
    return `${anchor}</${tokens[index].tag}>\n`;
  };
  // Wide tables scroll inside their own box, never the page.
  rules.table_open = () => `<div class="table-wrap" tabindex="0">\n<table>\n`;
  rules.table_close = () => `</table>\n</div>\n`;
  return markdown;
}

const markdown = createMarkdown();

export function renderMarkdown(source: string, env: MarkdownEnvironment): RenderedMarkdown {
  const tokens = markdown.parse(source, env);
  annotateTokens(tokens, env);
  return { html: markdown.renderer.render(tokens, markdown.options, env), tokens };
}

/** The text of the first level-one heading, if the markdown has one (a chapter's title). */
export function firstHeading(tokens: Token[]): string | null {
  const index = tokens.findIndex((token) => token.type === "heading_open" && token.tag === "h1");
  return index >= 0 ? inlineText(tokens[index + 1]).trim() : null;
}
