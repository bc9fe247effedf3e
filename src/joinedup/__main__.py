import sys

from joinedup.cli import main

sys.exit(main())
