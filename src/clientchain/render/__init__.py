"""Output formats. Each renderer takes an Analysis and returns text; none prints or exits."""
