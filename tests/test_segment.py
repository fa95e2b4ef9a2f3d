"""Segmentation: what becomes a message, and how translations are put back."""

from __future__ import annotations

from pipeline.build.render import Translations
from tests.support import RenderTestCase, entry


class ExtractTest(RenderTestCase):
    def test_block_kinds_and_comments(self):
        self.assertExtracts(
            """
            # Title *here*

            Para with **bold** and [a link](https://x.org "Link title").

            - tight item
            - item two

            | Head | Other |
            |------|-------|
            | cell | `code` |

            Term
            :   Definition

            > Quoted text

            ![A chart](chart.png)
            """,
            [
                ("Title *here*", "heading"),
                ('Para with **bold** and [a link](https://x.org "Link title").', None),
                ("tight item", "list item"),
                ("item two", "list item"),
                ("Head", "table header"),
                ("Other", "table header"),
                ("cell", "table cell"),
                ("`code`", "table cell"),
                ("Term", "definition term"),
                ("Definition", "definition"),
                ("Quoted text", "quote"),
                ("![A chart](chart.png)", "contains an image: translate its description"),
            ],
        )

    def test_not_messages_code_html_toc_and_placeholders(self):
        self.assertExtracts(
            """
            [TOC]

            ```
            fenced code
            ```

                indented code

            <div>raw <b>html</b></div>

            <!-- a comment -->

            Only this.
            """,
            ["Only this."],
        )

    def test_raw_inline_markdown_is_kept_exactly(self):
        source = (
            "Soft\nwrapped  \nwith a hard break, `code`, &amp; <em>html</em> and [ref][id].\n\n[id]: https://x.org\n"
        )
        self.assertExtracts(source, ["Soft\nwrapped  \nwith a hard break, `code`, &amp; <em>html</em> and [ref][id]."])

    def test_trailing_attr_list_is_not_part_of_the_message(self):
        self.assertExtracts(
            """
            ## Heading {#anchor .big}

            Paragraph.
            {: .note }
            """,
            [("Heading", "heading"), "Paragraph."],
        )

    def test_footnotes_admonitions_abbreviations_reference_titles(self):
        self.assertExtracts(
            """
            !!! note "Be careful"
                Body of the note.

            Text[^1] with HTML.

            [^1]: First footnote paragraph.

                Second footnote paragraph.

            *[HTML]: Hyper Text Markup Language
            [site]: https://x.org "Site title"
            """,
            [
                ("Be careful", "admonition title"),
                ("Body of the note.", "admonition"),
                ("Text[^1] with HTML.", None),
                ("First footnote paragraph.", "footnote"),
                ("Second footnote paragraph.", "footnote"),
                ("Site title", "link title"),
                ("Hyper Text Markup Language", "abbreviation: HTML"),
            ],
        )

    def test_nested_and_loose_lists(self):
        self.assertExtracts(
            """
            1. outer
                - inner one
                - inner two
            2. second

                with a paragraph
            """,
            ["outer", "inner one", "inner two", "second", "with a paragraph"],
        )

    def test_markers_skip_off_on_and_context(self):
        self.assertExtracts(
            """
            <!-- i18n: skip -->

            1. Reference one.
            2. Reference two.

            Kept.

            <!-- i18n: off -->

            Skipped one.

            Skipped two.

            <!-- i18n: on -->

            <!-- i18n: context button -->

            Open
            """,
            ["Kept.", ("Open", None, "button")],
        )

    def test_line_numbers(self):
        segments = self.converter().convert("# One\n\nTwo\nlines\n\n| a |\n|---|\n| b |\n").segments
        self.assertEqual([(s.msgid, s.line) for s in segments], [("One", 1), ("Two\nlines", 3), ("a", 6), ("b", 8)])


class ApplyTest(RenderTestCase):
    def test_translation_replaces_source_before_inline_parsing(self):
        self.assertRenders(
            "Hello **world** and [link](https://x.org).\n",
            {"Hello **world** and [link](https://x.org).": "Hallo **Welt** und [Link](https://x.org)."},
            '<p>Hallo <strong>Welt</strong> und <a href="https://x.org">Link</a>.</p>',
        )

    def test_untranslated_fuzzy_and_missing_show_source_marked(self):
        self.assertRenders(
            """
            Empty one.

            Fuzzy one.

            Not in catalog.
            """,
            {"Empty one.": "", "Fuzzy one.": entry("Unscharf.", fuzzy=True)},
            """
            <p lang="en">Empty one.</p>
            <p lang="en">Fuzzy one.</p>
            <p lang="en">Not in catalog.</p>
            """,
        )

    def test_keep_source_is_marked_but_an_equal_translation_is_not(self):
        self.assertRenders(
            """
            | Study | Status |
            |-------|--------|
            | Official Trial Title | OK |
            """,
            {
                "Study": "Studie",
                "Status": "Status",
                "Official Trial Title": entry("Official Trial Title", comment="keep-source"),
                "OK": "OK",
            },
            """
            <table>
            <thead>
            <tr>
            <th>Studie</th>
            <th>Status</th>
            </tr>
            </thead>
            <tbody>
            <tr>
            <td lang="en">Official Trial Title</td>
            <td>OK</td>
            </tr>
            </tbody>
            </table>
            """,
        )

    def test_heading_ids_come_from_the_source_text(self):
        self.assertRenders(
            """
            [TOC]

            ## What is ALS?

            See [above](#what-is-als).
            """,
            {"What is ALS?": "Was ist ALS?", "See [above](#what-is-als).": "Siehe [oben](#what-is-als)."},
            """
            <div class="toc">
            <ul>
            <li><a href="#what-is-als">Was ist ALS?</a></li>
            </ul>
            </div>
            <h2 id="what-is-als">Was ist ALS?</h2>
            <p>Siehe <a href="#what-is-als">oben</a>.</p>
            """,
        )

    def test_duplicate_headings_keep_source_ids_in_order(self):
        self.assertRenders(
            "## Notes\n\n## Notes\n",
            {"Notes": "Hinweise"},
            '<h2 id="notes">Hinweise</h2>\n<h2 id="notes_1">Hinweise</h2>',
        )

    def test_attr_list_is_reattached(self):
        self.assertRenders(
            "## Heading {#custom}\n\nText.\n{: .note }\n",
            {"Heading": "Überschrift", "Text.": "Text auf Deutsch."},
            '<h2 id="custom">Überschrift</h2>\n<p class="note">Text auf Deutsch.</p>',
        )

    def test_nested_list_item_in_source_language_is_wrapped(self):
        self.assertRenders(
            "- parent\n    - child\n",
            {"child": "Kind"},
            """
            <ul>
            <li><span lang="en">parent</span><ul>
            <li>Kind</li>
            </ul>
            </li>
            </ul>
            """,
        )

    def test_do_not_translate_block_is_marked_as_a_whole(self):
        self.assertRenders(
            "<!-- i18n: skip -->\n\n1. Ref.\n2. Ref two.\n",
            {},
            """
            <!-- i18n: skip -->

            <ol lang="en">
            <li>Ref.</li>
            <li>Ref two.</li>
            </ol>
            """,
        )

    def test_footnote_last_paragraph_keeps_its_back_reference(self):
        self.assertRenders(
            "Text[^1].\n\n[^1]: Note.\n",
            {"Text[^1].": "Text[^1] übersetzt.", "Note.": "Anmerkung."},
            """
            <p>Text<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup> übersetzt.</p>
            <div class="footnote">
            <hr />
            <ol>
            <li id="fn:1">
            <p>Anmerkung.&#160;<a class="footnote-backref" href="#fnref:1" title="Jump back to footnote 1 in the text">&#8617;</a></p>
            </li>
            </ol>
            </div>
            """,
        )

    def test_abbreviation_and_link_titles_are_translated(self):
        self.assertRenders(
            'The WHO [site][s].\n\n*[WHO]: World Health Organization\n[s]: https://who.int "Official site"\n',
            {
                "The WHO [site][s].": "Die WHO-[Seite][s].",
                "World Health Organization": "Weltgesundheitsorganisation",
                "Official site": "Offizielle Seite",
            },
            '<p>Die <abbr title="Weltgesundheitsorganisation">WHO</abbr>-'
            '<a href="https://who.int" title="Offizielle Seite">Seite</a>.</p>',
        )

    def test_context_separates_identical_text(self):
        self.assertRenders(
            "Open\n\n<!-- i18n: context button -->\n\nOpen\n",
            {"Open": "Geöffnet"},
            '<p>Geöffnet</p>\n<!-- i18n: context button -->\n\n<p lang="en">Open</p>',
        )
        po = self.catalog({"Open": "Geöffnet"})
        po.append(entry("Öffnen", msgctxt="button"))
        po[-1].msgid = "Open"
        html = (
            self.converter()
            .convert("<!-- i18n: context button -->\n\nOpen\n", Translations(po, "en").lookup, "en")
            .html
        )
        self.assertIn("<p>Öffnen</p>", html)
