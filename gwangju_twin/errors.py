"""The one error type that reaches users as a sentence instead of a traceback."""


class InputError(Exception):
    """A mistake in something the user controls (a file, a key, an option).

    The message is one line that names the file, the key or feature, and what was
    expected. The command line prints it and exits with status 2.
    """
