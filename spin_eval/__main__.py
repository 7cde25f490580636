import sys

from spin_eval.cli import main

sys.exit(main())
