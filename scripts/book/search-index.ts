/**
 * The text of the book for its client-side search (`_book/search.json`, read by book/search.js): one entry per
 * section of a page (a section starts at a level-1 or level-2 heading), holding the prose and the code a reader
 * would search for. Outputs are left out: numbers and logs would drown the words.
 */
import type MarkdownIt from "markdown-it";
import { inlineText } from "./markdown";

type Token = MarkdownIt.Token;

export interface SearchEntry {
  /** The page's title. */
  page: string;
  /** The section's heading (the page title for text before the first heading). */
  section: string;
  /** URL relative to the book's root, with the section's anchor. */
  href: string;
  text: string;
}

const SECTION_LEVELS = new Set(["h1", "h2"]);

/** Collects one page's searchable text, section by section, in reading order. */
export class PageSearchText {
  private readonly sections: SearchEntry[] = [];

  constructor(
    private readonly pageTitle: string,
    private readonly pageHref: string,
  ) {
    this.sections.push({ page: pageTitle, section: pageTitle, href: pageHref, text: "" });
  }

  private append(words: string): void {
    const current = this.sections[this.sections.length - 1];
    const clean = words.replace(/\s+/g, " ").trim();
    if (clean !== "") current.text = current.text === "" ? clean : `${current.text} ${clean}`;
  }

  addMarkdown(tokens: Token[]): void {
    for (let index = 0; index < tokens.length; index++) {
      const token = tokens[index];
      if (token.type === "heading_open" && SECTION_LEVELS.has(token.tag)) {
        const heading = inlineText(tokens[index + 1]).trim();
        const id = token.attrGet("id");
        this.sections.push({ page: this.pageTitle, section: heading, href: id ? `${this.pageHref}#${id}` : this.pageHref, text: "" });
        index++; // the heading's inline token is the title, not body text
      } else if (token.type === "inline") {
        this.append(inlineText(token));
      } else if (token.type === "fence" || token.type === "code_block" || token.type === "math_block") {
        this.append(token.content);
      }
    }
  }

  addCode(source: string): void {
    this.append(source);
  }

  entries(): SearchEntry[] {
    return this.sections.filter((entry, index) => index > 0 || entry.text !== "");
  }
}
