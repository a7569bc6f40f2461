"""Pure domain rules: no Django, no database, no clock. Time comes in as ``as_of``."""
