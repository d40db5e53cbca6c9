"""`python -m brinkmanship`: the same command line as the `brink` script."""

from brinkmanship.cli import main

if __name__ == "__main__":
    main()
