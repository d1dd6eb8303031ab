"""What the sources say: the rule book (``rulebook/*.yaml``) and its file format, scenarios, safe YAML input."""
