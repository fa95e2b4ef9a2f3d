// The search page of one edition: results from Pagefind's index of this page's
// language (pipeline/build/search.py builds it). Everything else on the site reads
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

// An edition's index is cut into bundles of a bounded number of pages: the
// first in pagefind/ itself, the others listed by language in pagefind/bundles.json.
// They are merged into one Pagefind instance (its multisite API), so a search
// ranks the pages of all of them in one list. Every bundle's addresses are taken
// from the site's root ("/"), wherever the site is served from: see the links below.
async function load() {
  const base = new URL("../pagefind/", import.meta.url);
  const pagefind = await import(new URL("pagefind.js", base).href);
  await pagefind.options({ baseUrl: "/" });
  await pagefind.init();
  const lang = (document.documentElement.getAttribute("lang") || "unknown").toLowerCase();
  const listed = await fetch(new URL("bundles.json", base), { cache: "no-cache" }); // as fresh as the index
  // An index built before bundles.json existed is one bundle per language.
  const bundles = listed.ok ? (await listed.json()).bundles || {} : {};
  const more = bundles[lang] || bundles[lang.split("-")[0]] || [];
  await Promise.all(
    more.map((path) => pagefind.mergeIndex(new URL(path, base).href, { language: lang, baseUrl: "/" })),
  );
  return pagefind;
}

async function run(text) {
  box.replaceChildren(box.dataset.searching);
  let pagefind;
  try {
    pagefind = await load();
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
