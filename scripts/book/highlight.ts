/**
 * Code highlighting at build time with highlight.js: notebook code cells are TypeScript (the tslab kernel); fenced
 * blocks in markdown name their own language. Only the languages a course page plausibly shows are registered.
 */
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import plaintext from "highlight.js/lib/languages/plaintext";
import python from "highlight.js/lib/languages/python";
import shell from "highlight.js/lib/languages/shell";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yamlLanguage from "highlight.js/lib/languages/yaml";

export const NOTEBOOK_LANGUAGE = "typescript";

hljs.registerLanguage("typescript", typescript);
hljs.registerLanguage("javascript", javascript);
hljs.registerLanguage("bash", bash);
hljs.registerLanguage("shell", shell);
hljs.registerLanguage("json", json);
hljs.registerLanguage("python", python);
hljs.registerLanguage("xml", xml);
hljs.registerLanguage("yaml", yamlLanguage);
hljs.registerLanguage("plaintext", plaintext);

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** The inner HTML of a code block: highlighted when the language is known, escaped text otherwise. */
export function highlightCode(code: string, language: string): string {
  const known = language !== "" && hljs.getLanguage(language) !== undefined;
  return known ? hljs.highlight(code, { language, ignoreIllegals: true }).value : escapeHtml(code);
}

/**
 * Fenced code in another language than the notebooks' is reference code, not a cell to run: the Keras snippets are
 * the book's own Python. They carry a label and a style of their own.
 */
const REFERENCE_LABELS: Record<string, string> = {
  python: "Python (Keras) · the book's code, for reference; the TypeScript cells are what runs here",
};

/** A complete `<pre><code>` block (with its label when it is reference code). */
export function codeBlock(code: string, language: string): string {
  const name = hljs.getLanguage(language) ? language : "plaintext";
  const block = `<pre class="code-block"><code class="hljs language-${name}">${highlightCode(code, language)}</code></pre>`;
  const label = REFERENCE_LABELS[language.toLowerCase()];
  if (label === undefined) return block;
  return `<figure class="code-reference code-${name}" aria-label="${escapeHtml(label)}"><figcaption class="code-label">${escapeHtml(label)}</figcaption>${block}</figure>`;
}
