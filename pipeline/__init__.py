"""leviers: which innovation levers French territorial documents address.

The Python API is `from pipeline import analyse` (see the README). Its names are
imported on first use, so that `import pipeline`, and with it every `leviers`
command, does not pay for pandas and scikit-learn until it needs them.
"""

__version__ = "0.1.0"

_API = {"analyse": "run", "Result": "types", "CoverageRule": "types", "write_outputs": "report"}
__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        from importlib import import_module

        return getattr(import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
