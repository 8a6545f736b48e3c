/**
 * The page around a chapter: head (styles, KaTeX css, plotly.js where a figure needs it), the sidebar with the
 * book's parts and chapters (the current one marked), the search box, and previous/next links. All URLs are
 * relative, so `_book/` works from any folder a web server puts it in.
 */
import { escapeHtml } from "./highlight";
import { textHtml, type PageHeading } from "./markdown";

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
  /** The chapter's number ("1", "A" for an appendix), or null for unnumbered pages. */
  number: string | null;
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
  /** The page's sections, for the "On this page" table of contents. */
  sections: PageHeading[];
  /** The notebook to download (relative URL), for notebook pages. */
  download: string | null;
  /** Where the page's source can be read (relative URL or the repository's). */
  source: string | null;
}

/** "cnn-notebooks: Convolutional …" shows as a name and a subtitle. */
function bookTitleHtml(title: string): string {
  const colon = title.indexOf(": ");
  if (colon < 0) return `<span class="book-name">${textHtml(title)}</span>`;
  return `<span class="book-name">${textHtml(title.slice(0, colon))}</span><span class="book-subtitle">${textHtml(title.slice(colon + 2))}</span>`;
}

function numberHtml(number: string | null): string {
  return number === null ? "" : `<span class="chapter-number">${escapeHtml(number)}</span> `;
}

function sidebarHtml(layout: PageLayout): string {
  const pageItem = (page: SidebarPage) =>
    `<li><a href="${escapeHtml(page.href)}"${page.current ? ' class="current" aria-current="page"' : ""}>${numberHtml(page.number)}<span class="chapter-title">${textHtml(page.title)}</span></a></li>`;
  const groups = layout.sidebar.map((group) =>
    group.part === null
      ? group.pages.map(pageItem).join("\n")
      : `<li class="part"><span class="part-title">${textHtml(group.part)}</span>\n<ul>\n${group.pages.map(pageItem).join("\n")}\n</ul></li>`,
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

/** On phones: a bar with the book's name and a button that opens the sidebar (collapsed until asked for). */
function topBarHtml(layout: PageLayout): string {
  const home = layout.sidebar[0]?.pages[0];
  const name = layout.bookTitle.split(": ")[0];
  return (
    `<header class="topbar">` +
    `<button type="button" class="nav-toggle" aria-controls="sidebar" aria-expanded="false"><span aria-hidden="true">☰</span> Contents</button>` +
    `<a class="topbar-title" href="${escapeHtml(home?.href ?? "index.html")}">${textHtml(name)}</a>` +
    `</header>`
  );
}

/** The right-hand column: the page's sections, and its notebook and source. */
function pageTocHtml(layout: PageLayout): string {
  const sections =
    layout.sections.length === 0
      ? ""
      : `<h2 class="page-toc-title">On this page</h2>\n<ul>\n${layout.sections
          .map((section) => `<li class="level-${section.level}"><a href="#${escapeHtml(section.id)}">${textHtml(section.text)}</a></li>`)
          .join("\n")}\n</ul>`;
  const actions = [
    layout.download === null ? "" : `<li><a class="download-notebook" href="${escapeHtml(layout.download)}" download>Download this notebook (.ipynb)</a></li>`,
    layout.source === null ? "" : `<li><a class="view-source" href="${escapeHtml(layout.source)}">View source</a></li>`,
  ].filter((item) => item !== "");
  if (sections === "" && actions.length === 0) return "";
  return (
    `<aside class="page-toc" aria-label="On this page">\n${sections}` +
    (actions.length === 0 ? "" : `\n<ul class="page-actions">\n${actions.join("\n")}\n</ul>`) +
    `\n</aside>`
  );
}

function pageNavigationHtml(layout: PageLayout): string {
  const link = (which: "previous" | "next", target: PageLink | null) =>
    target === null
      ? `<span class="page-nav-${which}"></span>`
      : `<a class="page-nav-${which}" rel="${which === "previous" ? "prev" : "next"}" href="${escapeHtml(target.href)}">` +
        `<span class="page-nav-label">${which === "previous" ? "← Previous" : "Next →"}</span>` +
        `<span class="page-nav-title">${textHtml(target.title)}</span></a>`;
  return `<nav class="page-nav" aria-label="Previous and next chapter">\n${link("previous", layout.previous)}\n${link("next", layout.next)}\n</nav>`;
}

export function renderPage(layout: PageLayout): string {
  const asset = (file: string) => escapeHtml(`${layout.rootPrefix}${ASSETS_DIR}/${file}`);
  const title = layout.pageTitle === layout.bookTitle ? layout.bookTitle : `${layout.pageTitle} – ${layout.bookTitle}`;
  // Scripts never block the text: all are deferred; figures.js (pages with figures only) loads plotly.js itself,
  // asynchronously, and draws over each figure's PNG once it has.
  return `<!DOCTYPE html>
<html lang="en" data-root="${escapeHtml(layout.rootPrefix)}" data-search-index="${escapeHtml(layout.rootPrefix + SEARCH_INDEX_FILE)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="${escapeHtml(FAVICON)}">
<script>document.documentElement.classList.add("js");</script>
<link rel="stylesheet" href="${asset("katex/katex.min.css")}">
<link rel="stylesheet" href="${asset("highlight.css")}">
<link rel="stylesheet" href="${asset("book.css")}">
<script src="${asset("search.js")}" defer></script>
<script src="${asset("book.js")}" defer></script>
${layout.usesPlotly ? `<script src="${asset("figures.js")}" data-plotly="${asset("plotly.min.js")}" defer></script>\n` : ""}</head>
<body>
${topBarHtml(layout)}
<div class="book">
${sidebarHtml(layout)}
<main class="content">
<div class="page">
<article class="chapter">
${layout.bodyHtml}
</article>
${pageTocHtml(layout)}
</div>
${pageNavigationHtml(layout)}
</main>
</div>
</body>
</html>
`;
}
