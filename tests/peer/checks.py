"""checks.py - explicit checks for the peer tests' Python parts: unlike assert statements, they
cannot be compiled away (python -O), and a failure names what was expected."""


class CheckFailed(Exception):
    """A checked expectation did not hold."""


def check(cond, what="check failed"):
    """Raise CheckFailed(what) unless cond holds."""
    if not cond:
        raise CheckFailed(what)
