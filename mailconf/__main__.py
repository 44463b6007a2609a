from mailconf.cli import main

raise SystemExit(main())
