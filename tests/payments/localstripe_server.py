"""Run localstripe on the port given as the only argument, with its store kept in memory.

localstripe pickles its whole store to /tmp/localstripe.pickle after every write and reloads it
at start unless told --from-scratch; the tests want neither (parallel runs would share one file),
so this wrapper turns the dump off before starting the server.
"""
import sys

from localstripe import resources, server


def main() -> None:
    resources.Store.dump_to_disk = lambda self: None
    sys.argv = ["localstripe", "--from-scratch", "--port", sys.argv[1]]
    server.start()


if __name__ == "__main__":
    main()
