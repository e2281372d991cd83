from ordertower.cli import main

main()
