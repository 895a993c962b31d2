"""onestop: one platform through which Korean SMEs find, with reasons, every support program they qualify for."""

__version__ = "0.1.0"
