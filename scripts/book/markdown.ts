/**
 * Markdown cells to HTML with markdown-it: math rendered at build time by KaTeX (VS Code's markdown-it plugin, the
 * same `$…$` / `$$…$$` rules Jupyter uses), fenced code highlighted, headings given ids, links to other notebooks
 * pointed at their pages, and local images noted so the renderer can copy them beside the page.
 */
import MarkdownIt from "markdown-it";
import katexPlugin from "@vscode/markdown-it-katex";
import { codeBlock } from "./highlight";

type Token = MarkdownIt.Token;

/** What one page's markdown needs to share across its cells, and what rendering found. */
export interface MarkdownEnvironment {
  /** Heading ids used so far on the page (ids must be unique per page). */
  usedIds: Set<string>;
  /** `attachment:NAME` → URL of the file written for that cell attachment. */
  attachments: Map<string, string>;
  /** Relative image paths referenced by the markdown (to copy beside the page). */
  localImages: string[];
}

export interface RenderedMarkdown {
  html: string;
  tokens: Token[];
}

export function newMarkdownEnvironment(): MarkdownEnvironment {
  return { usedIds: new Set(), attachments: new Map(), localImages: [] };
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
