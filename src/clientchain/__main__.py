from clientchain.cli.entry import main

main()
