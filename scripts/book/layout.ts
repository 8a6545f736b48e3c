/**
 * The page around a chapter: head (styles, KaTeX css, plotly.js where a figure needs it), the sidebar with the
 * book's parts and chapters (the current one marked), the search box, and previous/next links. All URLs are
 * relative, so `_book/` works from any folder a web server puts it in.
 */
import { escapeHtml } from "./highlight";

/** Where the renderer puts shared files inside the output folder. */
export const ASSETS_DIR = "assets";
export const SEARCH_INDEX_FILE = "search.json";
/** A 3×3 grid of cells (a feature map), inline, so browsers do not ask the server for /favicon.ico. */
const FAVICON =
  "data:image/svg+xml," +
  encodeURIComponent(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 12 12"><g fill="#0b5cad">` +
      [0, 4, 8].flatMap((y) => [0, 4, 8].map((x) => `<rect x="${x}" y="${y}" width="3.4" height="3.4" opacity="${0.35 + (x + y) / 25}"/>`)).join("") +
      `</g></svg>`,
  );

export interface PageLink {
  title: string;
  /** URL relative to the page being rendered. */
  href: string;
}

export interface SidebarPage extends PageLink {
  current: boolean;
}

export interface SidebarGroup {
  /** The part's title, or null for pages outside any part (the home page, the preface). */
  part: string | null;
  pages: SidebarPage[];
}

export interface PageLayout {
  bookTitle: string;
  pageTitle: string;
  /** Relative path from this page to the output root ("" or "../"). */
  rootPrefix: string;
  bodyHtml: string;
  sidebar: SidebarGroup[];
  previous: PageLink | null;
  next: PageLink | null;
  usesPlotly: boolean;
}

/** "cnn-notebooks: Convolutional …" shows as a name and a subtitle. */
function bookTitleHtml(title: string): string {
  const colon = title.indexOf(": ");
  if (colon < 0) return `<span class="book-name">${escapeHtml(title)}</span>`;
  return `<span class="book-name">${escapeHtml(title.slice(0, colon))}</span><span class="book-subtitle">${escapeHtml(title.slice(colon + 2))}</span>`;
}

function sidebarHtml(layout: PageLayout): string {
  const pageItem = (page: SidebarPage) =>
    `<li><a href="${escapeHtml(page.href)}"${page.current ? ' class="current" aria-current="page"' : ""}>${escapeHtml(page.title)}</a></li>`;
  const groups = layout.sidebar.map((group) =>
    group.part === null
      ? group.pages.map(pageItem).join("\n")
      : `<li class="part"><span class="part-title">${escapeHtml(group.part)}</span>\n<ul>\n${group.pages.map(pageItem).join("\n")}\n</ul></li>`,
  );
  const home = layout.sidebar[0]?.pages[0];
  return [
    `<nav class="sidebar" id="sidebar" aria-label="Book contents">`,
    `<a class="book-title" href="${escapeHtml(home?.href ?? "index.html")}">${bookTitleHtml(layout.bookTitle)}</a>`,
    `<div class="search" role="search">`,
    `<input type="search" id="search-input" placeholder="Search the book" aria-label="Search the book" autocomplete="off">`,
    `<ol id="search-results" class="search-results" hidden></ol>`,
    `</div>`,
    `<ul class="toc">\n${groups.join("\n")}\n</ul>`,
    `</nav>`,
  ].join("\n");
}

function pageNavigationHtml(layout: PageLayout): string {
  const link = (which: "previous" | "next", target: PageLink | null) =>
    target === null
      ? `<span class="page-nav-${which}"></span>`
      : `<a class="page-nav-${which}" rel="${which === "previous" ? "prev" : "next"}" href="${escapeHtml(target.href)}">` +
        `<span class="page-nav-label">${which === "previous" ? "← Previous" : "Next →"}</span>` +
        `<span class="page-nav-title">${escapeHtml(target.title)}</span></a>`;
  return `<nav class="page-nav" aria-label="Previous and next chapter">\n${link("previous", layout.previous)}\n${link("next", layout.next)}\n</nav>`;
}

export function renderPage(layout: PageLayout): string {
  const asset = (file: string) => escapeHtml(`${layout.rootPrefix}${ASSETS_DIR}/${file}`);
  const title = layout.pageTitle === layout.bookTitle ? layout.bookTitle : `${layout.pageTitle} – ${layout.bookTitle}`;
  return `<!DOCTYPE html>
<html lang="en" data-root="${escapeHtml(layout.rootPrefix)}" data-search-index="${escapeHtml(layout.rootPrefix + SEARCH_INDEX_FILE)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="${escapeHtml(FAVICON)}">
<link rel="stylesheet" href="${asset("katex/katex.min.css")}">
<link rel="stylesheet" href="${asset("highlight.css")}">
<link rel="stylesheet" href="${asset("book.css")}">
${layout.usesPlotly ? `<script src="${asset("plotly.min.js")}"></script>\n` : ""}<script src="${asset("search.js")}" defer></script>
</head>
<body>
<div class="book">
${sidebarHtml(layout)}
<main class="content">
<article class="chapter">
${layout.bodyHtml}
</article>
${pageNavigationHtml(layout)}
</main>
</div>
</body>
</html>
`;
}
