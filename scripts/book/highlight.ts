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

/** A complete `<pre><code>` block. */
export function codeBlock(code: string, language: string): string {
  const name = hljs.getLanguage(language) ? language : "plaintext";
  return `<pre class="code-block"><code class="hljs language-${name}">${highlightCode(code, language)}</code></pre>`;
}
