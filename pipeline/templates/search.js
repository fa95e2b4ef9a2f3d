// The search page of one edition: results from Pagefind's index of this page's
// language (pipeline/search.py builds it). Everything else on the site reads
// without JavaScript. Texts come from the page (data-* attributes, translated
// through the site catalog); results are built as DOM nodes, never as HTML.
const box = document.getElementById("search-results");
const input = document.getElementById("search-query");
const query = (new URLSearchParams(location.search).get("q") || "").trim();

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (all, key) => (key in values ? String(values[key]) : all));
}

// Pagefind's excerpt is HTML with <mark> around the words found: keep the text
// and the marks, nothing else (DOMParser runs no script).
function excerpt(target, html) {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  for (const node of doc.body.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      target.append(mark);
    } else {
      target.append(document.createTextNode(node.textContent));
    }
  }
}

async function run(text) {
  box.replaceChildren(box.dataset.searching);
  let pagefind;
  try {
    pagefind = await import(new URL("../pagefind/pagefind.js", import.meta.url).href);
    await pagefind.init();
  } catch (error) {
    box.replaceChildren(box.dataset.failed);
    return;
  }
  const search = await pagefind.search(text);
  const found = await Promise.all(search.results.slice(0, 20).map((r) => r.data()));
  const summary = document.createElement("p");
  summary.className = "search-summary";
  summary.textContent = found.length
    ? format(box.dataset.results, { query: text, count: search.results.length })
    : format(box.dataset.none, { query: text });
  const list = document.createElement("ol");
  list.className = "search-results";
  for (const data of found) {
    const item = document.createElement("li");
    const heading = document.createElement("h2");
    const link = document.createElement("a");
    // Pagefind's URLs start at the site's root; from this page that is "../".
    link.href = "../" + data.url.replace(/^\/+/, "");
    link.textContent = (data.meta && data.meta.title) || data.url;
    heading.append(link);
    const text = document.createElement("p");
    excerpt(text, data.excerpt || "");
    item.append(heading, text);
    list.append(item);
  }
  box.replaceChildren(summary, ...(found.length ? [list] : []));
}

if (box && input) {
  input.value = query;
  if (query) run(query);
}
