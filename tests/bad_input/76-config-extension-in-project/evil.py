from pathlib import Path

Path(__file__).with_name("source").joinpath("evil-ran.md").write_text("ran")
