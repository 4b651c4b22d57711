"""leviers: which innovation levers French territorial documents address."""

__version__ = "0.1.0"
