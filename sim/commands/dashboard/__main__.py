from sim.commands.dashboard import main

raise SystemExit(main())
