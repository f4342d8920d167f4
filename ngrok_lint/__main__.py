from ngrok_lint.cli import main

raise SystemExit(main())
