import sys
from pathlib import Path

# Tests import `pipeline` from the checkout and helpers from `tests.support`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
