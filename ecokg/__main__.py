"""Allow ``python -m ecokg``."""

from ecokg.cli import run

if __name__ == "__main__":
    run()
