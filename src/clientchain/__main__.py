from clientchain.cli.app import main

main()
