from fixenc.cli import main

raise SystemExit(main())
