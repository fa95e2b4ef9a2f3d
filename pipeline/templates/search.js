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

const SHOWN = 20; // results on the page

// The letters-and-digits words of a text, lowercased: how a query word and a word
// Pagefind found are compared.
function words(text) {
  return text.normalize("NFKC").toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

// Whether a word Pagefind found stands for a query word: they agree but for an ending
// (the few letters a stemmer takes off: "studies" for "study", "Therapien" for
// "Therapie"). Pagefind answers a word that no page of a bundle has with the longest
// prefix of it that the bundle does have ("nct0" for a trial ID of another bundle:
// every page with any trial ID); such a word shares only its first letters.
function standsFor(found, wanted) {
  let same = 0;
  while (same < found.length && same < wanted.length && found[same] === wanted[same]) same++;
  return same >= wanted.length - 4;
}

// Whether a result was found for every word of the query, not only for a prefix of
// one: its `locations` count the words of its `content` as Pagefind split them.
// A result that does not say where its words are is kept.
function matches(data, wanted) {
  if (!data.locations || !data.locations.length || !data.content) return true;
  const tokens = data.content.split(/\s+/);
  const found = data.locations.flatMap((at) => words(tokens[at] || ""));
  return wanted.every((word) => found.some((f) => standsFor(f, word)));
}

// The results worth showing, best first, and how many there are. Pagefind ranks a
// prefix's pages below those of the word itself, so once a whole batch is prefixes
// the rest is too. When nothing matches every word, Pagefind's own answer is shown
// (its prefixes are then its way of forgiving a typo, as one index would).
async function relevant(search, wanted) {
  const kept = [];
  let examined = 0;
  let tail = false;
  while (examined < search.results.length && kept.length < SHOWN) {
    const batch = await Promise.all(search.results.slice(examined, examined + SHOWN).map((r) => r.data()));
    examined += batch.length;
    const real = batch.filter((data) => matches(data, wanted));
    kept.push(...real);
    if (!real.length) {
      tail = true;
      break;
    }
  }
  if (!kept.length) {
    const first = await Promise.all(search.results.slice(0, SHOWN).map((r) => r.data()));
    return { found: first, count: search.results.length };
  }
  return { found: kept.slice(0, SHOWN), count: kept.length + (tail ? 0 : search.results.length - examined) };
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
  const { found, count } = await relevant(search, words(text));
  const summary = document.createElement("p");
  summary.className = "search-summary";
  summary.textContent = found.length
    ? format(box.dataset.results, { query: text, count })
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
    const paragraph = document.createElement("p");
    excerpt(paragraph, data.excerpt || "");
    item.append(heading, paragraph);
    list.append(item);
  }
  box.replaceChildren(summary, ...(found.length ? [list] : []));
}

if (box && input) {
  input.value = query;
  if (query) run(query);
}
