"""The ground floor: user errors, safe file writes, the project lock, worker
processes (and the cycle collector's pace while a batch runs) and the content hashes
every cache keeps. It imports nothing of the
pipeline but its version (`pipeline.__version__`); every other package may import it.

`errors` — the one family of user errors (file:line: message) and the exit codes
`files` — no link followed, bounded reads of regular files, atomic writes
`lock` — one writer per project (`flock`), released even by `kill -9`
`jobs` — worker processes for the commands that work article by article (`--jobs`), and the
  cycle collector's pace while they run (`batch_pace`)
`manifest` — content hashes of what each step read, the update and build manifests, `Memo`
`sshsig` — signatures by OpenSSH's `ssh-keygen -Y sign` / `-Y verify` (reviewers' sign-offs)
`imagesize` — an image's width and height from its first bytes (PNG, JPEG, GIF, WebP, SVG)
"""
