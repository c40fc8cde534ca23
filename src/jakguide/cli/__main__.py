"""``python -m jakguide.cli``: the same as the ``jakguide`` command."""

from jakguide.cli import main

main()
