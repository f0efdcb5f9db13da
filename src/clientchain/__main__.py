import gc

# No cycle collection from the first import on (main() keeps it off for the run): the
# imports of typer and numpy make enough objects to trigger full collections for nothing.
gc.disable()

from clientchain.cli.app import main  # noqa: E402  (after gc.disable, on purpose)

main()
