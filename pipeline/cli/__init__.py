"""The command line: a thin layer that parses the arguments, loads the project,
calls one library function per command and prints what it did. It may import every
package; nothing but `pipeline.__main__` imports it.

`main` — the parser, `main`, the commands that write (`WRITERS`), exit codes
`report` — `report_errors`: a command's errors, one a line, and the exit code they make
`catalogs` — extract, update, stats
`publishing` — build, publish, render
`preview` — serve, with its signal and thread handling
`translation` — pretranslate, check, review, approve, export, import
"""
