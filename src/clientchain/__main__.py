from clientchain.cli import main

main()
